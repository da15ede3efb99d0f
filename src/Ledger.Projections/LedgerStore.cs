using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Domain.Commitments;
using Ledger.Domain.Meetings;
using Ledger.Domain.Organizations;
using Ledger.Projections.Audit;
using Ledger.Projections.Commitments;
using Ledger.Projections.Dashboards;
using Ledger.Projections.Meetings;
using Ledger.Projections.Organizations;
using Marten;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Weasel.Core;

namespace Ledger.Projections;

/// <summary>The ledger's event store: stream identity, stable event names, serialization and read models.</summary>
public static class LedgerStore
{
    public const string Schema = "ledger";

    /// <summary>
    /// Stable names stored with every event. They are part of the ledger's format: never change a
    /// name; map a new version of an event to a new name and upcast the old one.
    /// </summary>
    public static IReadOnlyDictionary<Type, string> EventTypeNames { get; } = new Dictionary<Type, string>
    {
        [typeof(CommitmentPledged)] = "commitment-pledged",
        [typeof(CommitmentAmended)] = "commitment-amended",
        [typeof(ProgressReported)] = "progress-reported-v2",
        [typeof(ReviewDecisionRecorded)] = "review-decision-recorded",
        [typeof(CommitmentWithdrawn)] = "commitment-withdrawn",
        [typeof(CommitmentCarriedForward)] = "commitment-carried-forward",
        [typeof(MeetingRegistered)] = "meeting-registered",
        [typeof(OrganizationRegistered)] = "organization-registered",
        [typeof(FrameworkRegistered)] = "framework-registered",
    };

    /// <summary>
    /// Connects the store to <paramref name="connectionString"/>, with the statements every write repeats prepared on
    /// the server once per connection (Npgsql's automatic preparation) unless the connection string says otherwise:
    /// PostgreSQL then parses and plans a write's dozen statements once, not on every request.
    /// </summary>
    public static StoreOptions ConnectLedger(this StoreOptions opts, string connectionString)
    {
        opts.Connection(Prepared(connectionString).ConnectionString);
        return opts;
    }

    /// <summary>
    /// Connects a process that rebuilds projections (<c>projections rebuild</c>, with the host stopped) like
    /// <see cref="ConnectLedger"/>, but with every statement planned for its own parameters
    /// (<c>plan_cache_mode=force_custom_plan</c>; still parsed once per connection). The daemon reads each page with
    /// <c>where seq_id &gt; $1 and seq_id &lt;= $2 order by seq_id limit</c> the page size; the generic plan of that
    /// prepared statement guesses the range at 0.5 % of the events table, which is under the page size for any ledger
    /// of fewer than 200 pages' worth of events, and then joins and sorts every event left to rebuild on each page
    /// instead of reading one page by the primary key: a rebuild whose time grows with the square of the ledger.
    /// </summary>
    public static StoreOptions ConnectLedgerForRebuilds(this StoreOptions opts, string connectionString)
    {
        var builder = Prepared(connectionString);
        builder.Options = string.IsNullOrWhiteSpace(builder.Options)
            ? CustomPlans
            : builder.Options + " " + CustomPlans;
        opts.Connection(builder.ConnectionString);
        return opts;
    }

    private const string CustomPlans = "-c plan_cache_mode=force_custom_plan";

    /// <summary>
    /// <paramref name="connectionString"/> with Npgsql's automatic preparation on (64 statements per connection, from
    /// their second use) unless it says otherwise: what every connection of the ledger's store uses.
    /// </summary>
    public static Npgsql.NpgsqlConnectionStringBuilder Prepared(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        return builder;
    }
    /// <summary>The stable name version 1 of <see cref="ProgressReported"/> was stored under (<see cref="ProgressReportedV1"/>).</summary>
    public const string ProgressReportedV1Name = "progress-reported";

    /// <summary>
    /// The names earlier versions of events were stored under, each with the current event its upcaster reads it as.
    /// Never remove one: stored events keep the name they were written with.
    /// </summary>
    public static IReadOnlyDictionary<string, Type> EarlierEventNames { get; } = new Dictionary<string, Type>
    {
        [ProgressReportedV1Name] = typeof(ProgressReported),
    };

    /// <summary>Whether events stored under <paramref name="storedName"/> are an earlier version of an event, read as a later one.</summary>
    public static bool IsEarlierVersion(string storedName) => EarlierEventNames.ContainsKey(storedName);

    public static StoreOptions ConfigureLedger(this StoreOptions opts)
    {
        opts.DatabaseSchemaName = Schema;

        // Streams are keyed by natural keys (commitment codes), unique by construction.
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;
        opts.Events.MetadataConfig.UserNameEnabled = true;
        foreach (var (type, name) in EventTypeNames)
        {
            opts.Events.MapEventType(type, name);
        }

        // Earlier versions, read as the current ones by every read of the store (EarlierEventNames): the write
        // model, inline and async projections, rebuilds, replays and time travel. The stored rows stay as written.
        opts.Events.Upcast<ProgressReportedV1, ProgressReported>(ProgressReportedV1Name, v1 => v1.Upcast());

        opts.Listeners.Add(new EventSealing());

        // Enums as their names so LINQ filters and raw SQL read the same text.
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, ConfigureJson);

        // Rows Marten reads are in memory whole: deserialize them in one pass (BufferedRowSerializer).
        opts.Serializer(new BufferedRowSerializer(opts.Serializer()));

        // A projection that cannot apply an event must stop loudly, never skip it.
        opts.Projections.Errors.SkipApplyErrors = false;
        opts.Projections.Errors.SkipSerializationErrors = false;
        opts.Projections.Errors.SkipUnknownEvents = false;

        // Inline: exact the moment a write is acknowledged.
        opts.Projections.Add<CommitmentViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<MeetingViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<OrganizationViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<FrameworkViewProjection>(ProjectionLifecycle.Inline);

        opts.Schema.For<CommitmentView>()
            .Index(x => x.Meeting)
            .Index(x => x.SortKey)
            .GinIndexJsonData();

        opts.AddDashboards();

        // Checkpoints of every commitment's read model, every CommitmentCheckpoint.Every versions, kept by the
        // async daemon: a state as of an instant replays from the nearest one instead of from the pledge.
        opts.Projections.Add(new CommitmentCheckpointProjection(), ProjectionLifecycle.Async, CommitmentCheckpointProjection.Name, o =>
        {
            o.BatchSize = DashboardProjections.RebuildBatchSize;
            o.DeleteViewTypeOnTeardown<CommitmentCheckpoint>();
        });
        opts.WithoutInformationalColumns(AsyncDocuments);

        // The ledger-wide Merkle tree, kept by the async daemon next to the dashboards.
        opts.Events.Subscribe(new LedgerMerkleTree());
        opts.Storage.Add(new LedgerMerkleTreeTables(opts));
        opts.Storage.Add(new TreeHeadTables(opts)); // the signed heads of that tree, and their keys
        return opts;
    }

    /// <summary>The documents the async daemon keeps: the dashboards' and activity feed's, and the time-travel checkpoints.</summary>
    public static IReadOnlyList<Type> AsyncDocuments { get; } =
        [.. DashboardProjections.Async.Select(p => p.Document), typeof(CommitmentCheckpoint)];

    /// <summary>
    /// Stores <paramref name="documents"/> without Marten's informational columns (<c>mt_last_modified</c>,
    /// <c>mt_dotnet_type</c> and, for a document no aggregation keeps, a random <c>mt_version</c>; an aggregation's
    /// document keeps its numeric revision): documents of async projections, which nothing reads by version or
    /// modification time (their freshness is the daemon's progression, <c>mt_event_progression</c>). Each write of one
    /// would otherwise carry the type's name and a timestamp and draw a random version (a read of the kernel's random
    /// source), which a rebuild writing a million activity entries pays a million times.
    /// </summary>
    private static void WithoutInformationalColumns(this StoreOptions opts, IEnumerable<Type> documents)
    {
        var lean = documents.ToHashSet();
        opts.Policies.ForAllDocuments(mapping =>
        {
            if (lean.Contains(mapping.DocumentType))
            {
                mapping.Metadata.Version.Enabled = false;
                mapping.Metadata.LastModified.Enabled = false;
                mapping.Metadata.DotNetType.Enabled = false;
            }
        });
    }

    /// <summary>NodaTime types as ISO strings, shared by the store and anyone reading stored JSON.</summary>
    public static void ConfigureJson(System.Text.Json.JsonSerializerOptions options) =>
        options.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
}
