using JasperFx;
using Ledger.Host.CommandLine;
using Npgsql;

namespace Ledger.Host.DatabaseRoles;

/// <summary>
/// The command line (JasperFx), with one addition to the Critter Stack's <c>db-apply</c>: it runs under the ledger's
/// exclusive <see cref="SchemaLock"/>, and once the schema is applied the protection is installed and the runtime
/// role's privileges set again, exactly as every other schema step does (<see cref="SchemaStep.ApplyAsync"/>).
/// Without a verb the host serves, without the command line's machinery, which would first print on the console
/// every assembly it searches for commands.
/// </summary>
public static class LedgerCommandLine
{
    public const string ApplyVerb = "db-apply";

    public static async Task<int> RunLedgerCommandsAsync(this WebApplication app, string[] args)
    {
        if (args.Length == 0)
        {
            await app.RunAsync();
            return 0;
        }

        VerbOutput.Configure();
        if (string.Equals(args[0], DescribeRedaction.Verb, StringComparison.OrdinalIgnoreCase))
        {
            DescribeRedaction.Apply(app);
        }

        if (!string.Equals(args[0], ApplyVerb, StringComparison.OrdinalIgnoreCase))
        {
            return await app.RunJasperFxCommands(args);
        }

        LedgerConnections connections;
        try
        {
            connections = app.Services.GetRequiredService<LedgerConnections>();
        }
        catch (InvalidOperationException e)
        {
            VerbOutput.Refuse(e.Message);
            return 1;
        }

        await using var gate = await SchemaLock.AcquireAsync(connections.Store, shared: false);
        var code = await app.RunJasperFxCommands(args); // disposes the host when it is done
        if (code != 0)
        {
            if (connections.Owner is null)
            {
                VerbOutput.Line(
                    $"db-apply changes the schema: when ConnectionStrings:{LedgerConnections.RuntimeName} names the runtime role, " +
                    $"give the owner's connection in ConnectionStrings:{LedgerConnections.OwnerName}.");
            }

            return code;
        }

        try
        {
            await using var connection = new NpgsqlConnection(connections.Store);
            await connection.OpenAsync();
            await LedgerProtection.InstallAsync(connection, connections.RuntimeRoleToGrant, CancellationToken.None);
        }
        catch (PostgresException e)
        {
            VerbOutput.Line("The ledger's protection could not be installed:", "red", e.MessageText);
            return 1;
        }

        VerbOutput.Line("Protection installed:", "green", connections.RuntimeRoleToGrant is { } runtime
            ? $"the runtime role {runtime} holds exactly the runtime's privileges."
            : "one role, which owns the schema (see docs/operations.md).");
        return 0;
    }
}
