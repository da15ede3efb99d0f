using Ledger.Domain.Audit;
using Ledger.Host.Audit;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Ledger.Integration.Tests.Writing;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Integration.Tests.Auditing;

/// <summary>Base for audit tests: the meetings' data, an auditor's token, and raw SQL for tampering.</summary>
public abstract class AuditTest(LedgerFixture fixture) : WriteTest(fixture)
{
    protected string AuditorToken => Host.TokenFor(LedgerRoles.Auditor);

    protected Task<VerificationReport> VerifyAsync(LedgerDigest? saved = null) =>
        Host.Services.GetRequiredService<LedgerAudit>().VerifyAsync(saved, null, CancellationToken.None);

    protected Task<LedgerDigest> DigestAsync() => Audit.DigestAsync(CancellationToken.None);

    protected LedgerAudit Audit => Host.Services.GetRequiredService<LedgerAudit>();

    /// <summary>Waits until the async daemon (and with it the ledger's Merkle tree) has caught up with every event.</summary>
    protected Task TreeCaughtUpAsync() => Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

    /// <summary>A number read with one SQL statement as the host's role (the runtime role).</summary>
    protected async Task<long> ScalarAsync(string sql)
    {
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Changes stored rows behind the ledger's back, as the server's administrator could with psql.</summary>
    protected async Task TamperAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected async Task<long> SequenceOfAsync(string stream, long version)
    {
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select seq_id from ledger.mt_events where stream_id = @s and version = @v", connection);
        command.Parameters.AddWithValue("s", stream);
        command.Parameters.AddWithValue("v", version);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    protected async Task ReviewAsync(string code, string rating = "on-track")
    {
        var response = await Host.PostAsync($"/api/commitments/{code}/reviews",
            new { meeting = "AST-2024", rating, decision = "continue" }, Secretariat);
        if (response.Status != 200)
        {
            throw new InvalidOperationException(response.Body);
        }
    }
}
