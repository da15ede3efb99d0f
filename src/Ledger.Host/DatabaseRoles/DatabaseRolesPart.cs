using JasperFx.CommandLine.Descriptions;
using Spectre.Console;

namespace Ledger.Host.DatabaseRoles;

/// <summary>
/// <c>describe</c>'s account of the database roles: which role the ledger connects as, who owns the schema, the state
/// of each protection trigger, and which guarantees do not hold.
/// </summary>
public sealed class DatabaseRolesPart(SchemaStep schema, LedgerConnections connections)
    : SystemPartBase("Ledger database roles", new Uri("ledger://database-roles"))
{
    public override async Task WriteToConsole()
    {
        DatabaseSituation situation;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            situation = await schema.ReadAsync(timeout.Token);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or OperationCanceledException)
        {
            AnsiConsole.MarkupLine($"[red]The database did not answer:[/] {Markup.Escape(e.Message)}");
            return;
        }

        var table = new Table().AddColumns("", "");
        table.AddRow("Connects as", Markup.Escape(situation.Role) + (connections.ConnectsAsOwner ? " (the owner, for this schema verb)" : ""));
        table.AddRow("Mode", situation.ToData()["mode"].ToString()!);
        table.AddRow("Schema owner", Markup.Escape(situation.SchemaOwner ?? "(no schema yet)"));
        table.AddRow("Owner connection", connections.Owner is null ? "not configured" : "configured (used by schema verbs only)");
        foreach (var (guard, state) in situation.Guards)
        {
            table.AddRow("Protection " + Markup.Escape(guard), state == GuardState.Enabled ? "[green]enabled[/]" : $"[red]{state.ToString().ToLowerInvariant()}[/]");
        }

        AnsiConsole.Write(table);
        if (situation.NotHolding.Count == 0)
        {
            AnsiConsole.MarkupLine("[green]Every guarantee holds:[/] " + Markup.Escape(situation.Statement));
            return;
        }

        AnsiConsole.MarkupLine("[yellow]Guarantees that do not hold:[/]");
        foreach (var line in situation.NotHolding)
        {
            AnsiConsole.MarkupLine("  - " + Markup.Escape(line));
        }
    }
}
