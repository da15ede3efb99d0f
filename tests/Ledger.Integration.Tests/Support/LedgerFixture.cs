using Alba;
using Ledger.Domain.Common;
using Ledger.Domain.Importing;
using Ledger.Host.Importing;
using Marten;
using Marten.Events;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;

namespace Ledger.Integration.Tests.Support;

/// <summary>One host per test collection, on a database of its own.</summary>
public sealed class LedgerFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private IAlbaHost? _host;

    public FakeClock Clock { get; } = new(LedgerHost.Start);

    public IAlbaHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The database is not created.");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("api");
        _host = await LedgerHost.StartAsync(_database, Clock);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LedgerHostGroup : ICollectionFixture<LedgerFixture>
{
    public const string Name = "ledger";
}

/// <summary>Base for tests sharing the collection's host: every test starts from an empty ledger.</summary>
[Collection(LedgerHostGroup.Name)]
public abstract class LedgerTest(LedgerFixture fixture) : IAsyncLifetime
{
    protected IAlbaHost Host => fixture.Host;

    protected FakeClock Clock => fixture.Clock;

    protected TestDatabase Database => fixture.Database;

    protected IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public virtual async Task InitializeAsync()
    {
        // Let the async daemon finish the previous test's pages first: a page still being written when
        // the data is cleared would come back as a stale read model in this test.
        await QuiesceDaemonAsync();

        // Events are immutable, and the host's runtime role cannot clear them: the owner does, as Marten's
        // ResetAllMartenDataAsync would, with the daemon paused meanwhile and restarted after. Clearing races a
        // straggling write now and then; PostgreSQL then picks a deadlock victim: try again.
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await Database.ClearLedgerAsync();
                    break;
                }
                catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DeadlockDetected && attempt < 5)
                {
                    await Task.Delay(100 * attempt);
                }
            }
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        fixture.Clock.Reset(LedgerHost.Start);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task QuiesceDaemonAsync()
    {
        try
        {
            await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            // A previous test may have left a shard stopped on purpose (tampered rows): the reset restarts it.
        }
    }

    /// <summary>Imports the meetings' data the ledger ships, as the seed at start-up does.</summary>
    protected async Task<ImportReport> ImportShippedDataAsync()
    {
        var importer = Host.Services.GetRequiredService<LedgerImporter>();
        return await importer.ImportAsync(await MeetingsDataFile.LoadShippedAsync(), Actor.Importer("test-import"));
    }
}
