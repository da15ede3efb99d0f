using System.Globalization;

namespace Ledger.Bench.Harness;

/// <summary>
/// What one run measures and for how long. A full run repeats every write measurement in several
/// rounds, each next to its own ceiling, because absolute rates on a shared machine drift from minute
/// to minute; a quick run does everything once, briefly, to show that the harness works.
/// </summary>
internal sealed record BenchOptions
{
    /// <summary>Concurrent writers and HTTP clients: the product's targets are stated at 16.</summary>
    public const int Writers = 16;

    /// <summary>Events in the stream whose state is read as of an instant (the target names a 1,000-event stream).</summary>
    public const int EventsPerStream = 1_000;

    public bool Quick { get; init; }

    /// <summary>
    /// Which phases run: <c>all</c> (the default), <c>writes</c> or <c>reads</c> (<c>--only</c>, for working on one side);
    /// <c>rebuilds</c> is the start of the read phase alone: the raw scans, the rebuilds and the rebuild proof.
    /// </summary>
    public string Only { get; init; } = "all";

    public bool RunsWrites => Only is "all" or "writes";

    public bool RunsReads => Only is "all" or "reads" or "rebuilds";

    /// <summary>Whether the read phase stops after the rebuilds and the rebuild proof (<c>--only rebuilds</c>).</summary>
    public bool RebuildsOnly => Only is "rebuilds";

    /// <summary>Events in the largest ledger the reads are measured on (see <see cref="Sizes"/>).</summary>
    public long Events { get; init; }

    /// <summary>The markdown file the result table is written to.</summary>
    public required string Output { get; init; }

    /// <summary>
    /// The host's build output (<c>Ledger.Host.dll</c>), run as a separate process. Read from the
    /// environment (<c>LEDGER_BENCH_HOST_DLL</c>) rather than the command line, so that stopping stray
    /// hosts by name (<c>pkill -f Ledger.Host</c>) does not stop the harness with them.
    /// </summary>
    public required string HostDll { get; init; }

    /// <summary>A folder for the hosts' logs.</summary>
    public required string Work { get; init; }

    /// <summary>The runtime role's connection string to the cluster, the role a host serves with (its database is replaced per phase).</summary>
    public required string AppConnection { get; init; }

    /// <summary>The owner role's connection string: owns each phase's database and applies its schema.</summary>
    public required string OwnerConnection { get; init; }

    /// <summary>The superuser's connection string: creates the databases the phases run on.</summary>
    public required string AdminConnection { get; init; }

    public int Rounds => Quick ? 1 : 3;

    public TimeSpan Warmup => TimeSpan.FromSeconds(Quick ? 2 : 3);

    public TimeSpan Duration => TimeSpan.FromSeconds(Quick ? 4 : 10);

    /// <summary>How often a whole-ledger read (raw scan, board, verification) is repeated; the median is reported.</summary>
    public int ScanRepeats => Quick ? 2 : 5;

    /// <summary>Sequential requests for a commitment's state as of an instant, after as many again (and at least <see cref="StateWarmup"/>) to warm up.</summary>
    public int StateRequests => Quick ? 60 : 1000;

    /// <summary>
    /// The shortest warm-up of the state-as-of requests: a fresh host's JIT is still optimising its first seconds of
    /// requests (its tiered-compilation thread took 44-62 % of a core 5-7 s into them), on the cores that serve them.
    /// </summary>
    public TimeSpan StateWarmup => TimeSpan.FromSeconds(Quick ? 1 : 20);

    /// <summary>
    /// The ledger sizes the reads are measured at, smallest first: a hundredth, a tenth and all of
    /// <see cref="Events"/> (the growth curves: 10k, 100k and 1M events by default), leaving out any below one stream.
    /// </summary>
    public IReadOnlyList<long> Sizes =>
        [.. new[] { Events / 100, Events / 10, Events }.Where(n => n >= EventsPerStream).Select(n => n / EventsPerStream * EventsPerStream).Distinct()];

    /// <summary>The smallest ledger the reads are measured on.</summary>
    public long SmallEvents => Sizes[0];

    /// <summary>
    /// The fixed rate (events per second) of the write bursts the async daemon must keep up with
    /// (<c>--burst-rate</c>): writes at the product's write target, stated here rather than taken from a measure.
    /// </summary>
    public double BurstRate { get; init; } = 1_000;

    /// <summary>How long each write burst lasts.</summary>
    public TimeSpan BurstDuration => TimeSpan.FromSeconds(Quick ? 10 : 60);

    public static BenchOptions Parse(string[] args)
    {
        var quick = false;
        long? events = null;
        string? output = null;
        string? work = null;
        var only = "all";
        double burstRate = 1_000;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--events":
                    events = long.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                        : throw new ArgumentException("--events needs a whole number");
                    break;
                case "--out":
                    output = Value();
                    break;
                case "--burst-rate":
                    burstRate = double.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0 ? r
                        : throw new ArgumentException("--burst-rate needs a whole number of events per second");
                    break;
                case "--only":
                    only = Value();
                    if (only is not ("reads" or "writes" or "rebuilds" or "all"))
                    {
                        throw new ArgumentException("--only needs reads, writes, rebuilds or all");
                    }

                    break;
                case "--work":
                    work = Value();
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}; use --quick, --events N, --only reads|writes|rebuilds, --burst-rate N, --out FILE, --work DIR");
            }
        }

        var total = events ?? (quick ? 20_000 : 1_000_000);
        if (total < 10L * EventsPerStream)
        {
            throw new ArgumentException($"--events must be at least {10 * EventsPerStream}: the smaller ledgers hold a tenth and a hundredth of it, in {EventsPerStream}-event streams");
        }

        return new BenchOptions
        {
            Quick = quick,
            Only = only,
            BurstRate = burstRate,
            Events = total,
            Output = output ?? throw new ArgumentException("--out FILE is required"),
            HostDll = Environment.GetEnvironmentVariable("LEDGER_BENCH_HOST_DLL")
                      ?? throw new ArgumentException("LEDGER_BENCH_HOST_DLL is not set: run bench/run.sh"),
            Work = work ?? Path.GetTempPath(),
            AppConnection = Environment.GetEnvironmentVariable("ConnectionStrings__Ledger")
                            ?? throw new ArgumentException("ConnectionStrings__Ledger is not set: run bench/run.sh"),
            OwnerConnection = Environment.GetEnvironmentVariable("ConnectionStrings__LedgerOwner")
                              ?? throw new ArgumentException("ConnectionStrings__LedgerOwner is not set: run bench/run.sh"),
            AdminConnection = Environment.GetEnvironmentVariable("LEDGER_ADMIN_CONNECTION")
                              ?? throw new ArgumentException("LEDGER_ADMIN_CONNECTION is not set: run bench/run.sh"),
        };
    }
}
