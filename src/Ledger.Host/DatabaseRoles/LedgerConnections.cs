using Npgsql;

namespace Ledger.Host.DatabaseRoles;

/// <summary>
/// The ledger's two PostgreSQL roles and which one this process connects as.
/// <list type="bullet">
/// <item><c>ConnectionStrings:Ledger</c>: the <b>runtime</b> role a serving host uses. It may append events and
/// maintain read models, and nothing more (<see cref="LedgerProtection"/>).</item>
/// <item><c>ConnectionStrings:LedgerOwner</c>: the <b>owner</b> role, which owns the schema and everything in it.
/// Only the verbs that change the schema connect as it (<see cref="SchemaVerbs"/>); a serving host never does.</item>
/// </list>
/// With the owner's connection missing, every process connects with <c>ConnectionStrings:Ledger</c>; what that
/// role may do is read from the database itself at start (<see cref="DatabaseSituation"/>).
/// </summary>
public sealed class LedgerConnections
{
    public const string RuntimeName = "Ledger";
    public const string OwnerName = "LedgerOwner";

    /// <summary>
    /// The verbs that connect as the owner when one is configured: those that change the schema, or may have to create
    /// it first, and <c>backup</c> (pg_dump reads every object as the role that owns them, in the snapshot the digest is taken in).
    /// </summary>
    public static IReadOnlySet<string> SchemaVerbs { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "db-apply", "db-patch", "resources", "import", TreeRewind, Backup };

    public const string Backup = "backup";

    public const string TreeRewind = "tree-rewind";

    private LedgerConnections(string runtime, string? owner, string? verb)
    {
        Runtime = runtime;
        Owner = owner;
        Verb = verb;
        ConnectsAsOwner = owner is not null && verb is not null && SchemaVerbs.Contains(verb);
    }

    /// <summary><c>ConnectionStrings:Ledger</c>.</summary>
    public string Runtime { get; }

    /// <summary><c>ConnectionStrings:LedgerOwner</c>, when configured.</summary>
    public string? Owner { get; }

    /// <summary>The command-line verb this process runs; null when it serves.</summary>
    public string? Verb { get; }

    /// <summary>
    /// The verb that rebuilds projections with the host stopped (Marten's <c>projections rebuild</c>): its store
    /// connects with <see cref="Ledger.Projections.LedgerStore.ConnectLedgerForRebuilds"/>.
    /// </summary>
    public const string Projections = "projections";

    /// <summary>This process replays the ledger through the daemon rather than serving (<see cref="Projections"/>).</summary>
    public bool Rebuilds => string.Equals(Verb, Projections, StringComparison.OrdinalIgnoreCase);

    /// <summary>This process runs a schema verb with the owner's connection.</summary>
    public bool ConnectsAsOwner { get; }

    /// <summary>The connection the event store (and Wolverine's message storage with it) uses in this process.</summary>
    public string Store => ConnectsAsOwner ? Owner! : Runtime;

    /// <summary>
    /// The role the owner grants the runtime privileges to after a schema step: the user of
    /// <c>ConnectionStrings:Ledger</c>, when this process connects as another role. Null with a single role.
    /// </summary>
    public string? RuntimeRoleToGrant
    {
        get
        {
            var runtime = new NpgsqlConnectionStringBuilder(Runtime).Username;
            var store = new NpgsqlConnectionStringBuilder(Store).Username;
            return ConnectsAsOwner && !string.IsNullOrEmpty(runtime) && !string.Equals(runtime, store, StringComparison.Ordinal)
                ? runtime
                : null;
        }
    }

    public static LedgerConnections From(IConfiguration configuration, IReadOnlyList<string> args)
    {
        var runtime = configuration.GetConnectionString(RuntimeName);
        var owner = configuration.GetConnectionString(OwnerName);
        var verb = args.Count > 0 && !args[0].StartsWith('-') ? args[0] : null;
        return new LedgerConnections(
            string.IsNullOrWhiteSpace(runtime) ? throw Missing() : runtime,
            string.IsNullOrWhiteSpace(owner) ? null : owner,
            verb);
    }

    private static InvalidOperationException Missing() => new(
        $"No PostgreSQL connection string: set ConnectionStrings:{RuntimeName} " +
        $"(environment variable ConnectionStrings__{RuntimeName}), or start the ledger with ./run.sh.");
}
