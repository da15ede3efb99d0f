using System.Globalization;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Pledging;
using Ledger.Domain.Common;
using Ledger.Domain.Meetings;
using Ledger.Domain.Organizations;
using NodaTime;

namespace Ledger.Domain.Importing;

/// <summary>A stream the import will start, with its first events.</summary>
public sealed record StreamStart(string Key, IReadOnlyList<object> Events);

/// <summary>What an import did (or would do) with each entry of the data.</summary>
public sealed record ImportReport(
    IReadOnlyList<string> Created,
    IReadOnlyList<string> AlreadyPresent,
    IReadOnlyList<ImportRefusal> Refused)
{
    public int EventCount { get; init; }
}

/// <summary>An entry the import refuses: its stream key, where it stands in the data, and why.</summary>
public sealed record ImportRefusal(string Key, IReadOnlyList<Refusal> Reasons)
{
    /// <summary>Where the entry stands in the data (<c>line 4</c>, <c>commitments[3]</c>); the key when not given.</summary>
    public string Entry { get; init; } = Key;
}

/// <summary>One pledge of an import: where it stands in the data, the command, and the events its source adds after the pledge.</summary>
public sealed record PledgeLine(string Entry, PledgeCommitment Command, Func<Actor, Instant, IEnumerable<object>>? Then = null);

public sealed record ImportPlan(IReadOnlyList<StreamStart> Streams, ImportReport Report)
{
    public const string SourceName = "UN-OIC Biennial General Meeting on Coordination Convenes in Astana (article, 22 July 2024)";

    /// <summary>
    /// Plans the streams to start for the meetings' data. Entries whose stream already exists are
    /// left alone, which makes the import idempotent: planning against a ledger that already holds
    /// everything yields no stream at all.
    /// </summary>
    public static ImportPlan For(MeetingsData data, Func<string, bool> streamExists, Actor by, Instant now)
    {
        var plan = new Planner(streamExists);
        var sessions = data.WorkingSessions
            .Select(s => new WorkingSession(s.Number, s.Title, s.Topics, s.CrisisAreas ?? []))
            .ToList();

        foreach (var o in data.Organizations)
        {
            plan.Start(StreamKeys.Organization(o.Code), new OrganizationRegistered(o.Code, o.Name, ParseFamily(o.Family), o.Note, by, now));
        }

        foreach (var f in data.Frameworks)
        {
            plan.Start(StreamKeys.Framework(f.Code), new FrameworkRegistered(f.Code, f.Name, by, now));
        }

        // The source gives the working sessions of the meeting that reviews the previous one;
        // the earlier meeting's own agenda is not known, so it is registered without sessions.
        var meetings = data.Meetings.Select(m => new MeetingRegistered(
            m.Code, m.Title, m.City, m.Country, m.TimeZone,
            m.StartDate is { } start ? FactDate.Day(start) : FactDate.Month(m.Month),
            m.StartDate, m.EndDate, m.Host, m.Participants, m.Reviews,
            m.Reviews is not null ? sessions : [], ParseBasis(m.Basis), by, now)).ToList();
        foreach (var meeting in meetings)
        {
            plan.Start(StreamKeys.Meeting(meeting.Code), meeting);
        }

        var catalog = ReferenceCatalog.From(
            meetings, data.Organizations.Select(o => o.Code), data.Frameworks.Select(f => f.Code));
        plan.Pledge(Pledges(data), catalog, by, now);
        return plan.Build();
    }

    /// <summary>
    /// Plans a matrix of pledges against the ledger's <paramref name="catalog"/>, by the same rules as the
    /// meetings' data: a code already in the ledger is left alone, a code given twice is refused, each pledge is
    /// decided as the pledge endpoint decides it. The caller records the streams only when nothing is refused.
    /// </summary>
    public static ImportPlan ForPledges(IEnumerable<PledgeLine> lines, ReferenceCatalog catalog, Func<string, bool> streamExists, Actor by, Instant now)
    {
        var plan = new Planner(streamExists);
        plan.Pledge(lines, catalog, by, now);
        return plan.Build();
    }

    /// <summary>Collects the streams to start and what becomes of each entry.</summary>
    private sealed class Planner(Func<string, bool> streamExists)
    {
        private readonly List<StreamStart> _streams = [];
        private readonly List<string> _created = [];
        private readonly List<string> _present = [];
        private readonly List<ImportRefusal> _refused = [];

        public void Start(string key, params object[] events)
        {
            if (streamExists(key))
            {
                _present.Add(key);
            }
            else
            {
                _streams.Add(new StreamStart(key, events));
                _created.Add(key);
            }
        }

        public void Pledge(IEnumerable<PledgeLine> lines, ReferenceCatalog catalog, Actor by, Instant now)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                var code = line.Command.Code;
                var key = code is null ? line.Entry : StreamKeys.Commitment(code);
                if (code is not null && !seen.Add(code))
                {
                    _refused.Add(new ImportRefusal(key, [new Refusal("appears more than once in the matrix", "code")]) { Entry = line.Entry });
                    continue;
                }

                if (code is not null && streamExists(key))
                {
                    _present.Add(key);
                    continue;
                }

                var decision = line.Command.Decide(catalog, by, now);
                if (decision.IsRefused)
                {
                    _refused.Add(new ImportRefusal(key, decision.Refusals) { Entry = line.Entry });
                    continue;
                }

                Start(key, [.. decision.Events, .. line.Then?.Invoke(by, now) ?? []]);
            }
        }

        public ImportPlan Build() =>
            new(_streams, new ImportReport(_created, _present, _refused) { EventCount = _streams.Sum(s => s.Events.Count) });
    }

    private static IEnumerable<PledgeLine> Pledges(MeetingsData data)
    {
        foreach (var c in data.Commitments)
        {
            var first = c.History.OrderBy(h => h.Date).First();
            var source = new SourceStatement(first.Fact, first.By, first.Text, SourceName);
            var inferred = new Dictionary<string, string>(c.Inferred ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            var (status, reading) = InitialStatus(first.Fact);
            if (reading is not null)
            {
                inferred["status"] = reading;
            }

            var command = new PledgeCommitment(
                c.Code, c.Meeting, c.Title, ParseKind(c.Kind), c.Leads, c.Partners, c.Countries, c.WorkingSession,
                Topic: null, c.Frameworks, DueDate: null, status, FactDate.Day(first.Date), ParseBasis(c.Basis), inferred, source);

            yield return new PledgeLine(c.Code, command, (by, now) => first.Fact == "progress-reported"
                ? [new ProgressReported(c.Code, CommitmentStatus.InProgress, first.Text ?? string.Empty, [], FactDate.Day(first.Date), source, by, now)]
                : []);
        }

        if (data.GenevaMatrixLines is not { } geneva)
        {
            yield break;
        }

        var gvaMeeting = data.Meetings.Single(m => m.Reviews is null && m.Month == geneva.Month);
        foreach (var session in data.WorkingSessions)
        {
            for (var i = 0; i < session.Topics.Count; i++)
            {
                var topic = session.Topics[i];
                var code = string.Create(CultureInfo.InvariantCulture, $"{gvaMeeting.Code}-{session.Number}.{i + 1}");
                var inferred = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["status"] = "the article refers to the 'agreed-upon Matrix' reviewed since Geneva 2022; its lines are recorded as agreed",
                    ["title"] = "the article names the agenda topic only; the line's title is 'Cooperation on <topic>'",
                    ["leads"] = "the article names no owners; the lines are led jointly by the UN and the OIC",
                };
                var command = new PledgeCommitment(
                    code, gvaMeeting.Code, $"Cooperation on {topic}", CommitmentKind.MatrixLine, geneva.Leads, [], [], session.Number,
                    topic, [], DueDate: null, CommitmentStatus.Agreed, FactDate.Month(geneva.Month), ParseBasis(geneva.Basis), inferred,
                    new SourceStatement("agenda-topic", null, topic, SourceName));
                yield return new PledgeLine(code, command);
            }
        }
    }

    /// <summary>How a fact stated in the source maps to a status, and the ledger's reading when it is not literal.</summary>
    private static (CommitmentStatus Status, string? Reading) InitialStatus(string fact) => fact switch
    {
        "proposed" => (CommitmentStatus.Proposed, null),
        "called-for" => (CommitmentStatus.Proposed,
            "the article reports a call to act, not an agreement; the ledger records it as proposed"),
        "signing-announced" => (CommitmentStatus.Agreed,
            "the article announces the signing of a letter of intent; a signed instrument is recorded as agreed"),
        "progress-reported" => (CommitmentStatus.Agreed,
            "the article reports successes of an ongoing initiative; the ledger records it as agreed, then in progress"),
        _ => throw new FormatException($"Unknown fact '{fact}' in the meetings' data."),
    };

    private static Basis ParseBasis(string basis) => basis switch
    {
        "stated" => Basis.Stated,
        "agenda-topic" => Basis.AgendaTopic,
        "recorded" => Basis.Recorded,
        _ => throw new FormatException($"Unknown basis '{basis}' in the meetings' data."),
    };

    private static CommitmentKind ParseKind(string kind) => kind switch
    {
        "coordination" => CommitmentKind.Coordination,
        "mechanism" => CommitmentKind.Mechanism,
        "agreement" => CommitmentKind.Agreement,
        "programme" => CommitmentKind.Programme,
        "call" => CommitmentKind.Call,
        "matrix-line" => CommitmentKind.MatrixLine,
        _ => throw new FormatException($"Unknown kind '{kind}' in the meetings' data."),
    };

    private static OrganizationFamily ParseFamily(string family) => family switch
    {
        "UN" => OrganizationFamily.UN,
        "OIC" => OrganizationFamily.OIC,
        "host-government" => OrganizationFamily.HostGovernment,
        _ => throw new FormatException($"Unknown organization family '{family}' in the meetings' data."),
    };
}
