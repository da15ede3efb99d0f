using Ledger.Domain.Commitments;
using Ledger.Domain.Common;

namespace Ledger.Projections.Dashboards;

/// <summary>Commitments by status; every status is present, zero or not, so BI tools read plain numbers.</summary>
public sealed record StatusCounts(
    int Total, int Proposed, int Agreed, int InProgress, int Completed, int Suspended, int Withdrawn, int CarriedForward)
{
    public static StatusCounts Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public static StatusCounts Of(IEnumerable<DashboardLine> lines)
    {
        var n = new int[Enum.GetValues<CommitmentStatus>().Length];
        foreach (var line in lines)
        {
            n[(int)line.Status]++;
        }

        return Of(n);
    }

    /// <summary>The counts in <paramref name="n"/>, indexed by status.</summary>
    public static StatusCounts Of(int[] n) => new(n.Sum(), n[0], n[1], n[2], n[3], n[4], n[5], n[6]);

    /// <summary>The counts as an array indexed by status, to count on from.</summary>
    public int[] ToArray() => [.. Enum.GetValues<CommitmentStatus>().Select(s => this[s])];

    public int this[CommitmentStatus status] => status switch
    {
        CommitmentStatus.Proposed => Proposed,
        CommitmentStatus.Agreed => Agreed,
        CommitmentStatus.InProgress => InProgress,
        CommitmentStatus.Completed => Completed,
        CommitmentStatus.Suspended => Suspended,
        CommitmentStatus.Withdrawn => Withdrawn,
        CommitmentStatus.CarriedForward => CarriedForward,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a commitment status"),
    };
}

/// <summary>Commitments by kind, every kind present.</summary>
public sealed record KindCounts(int Coordination, int Mechanism, int Agreement, int Programme, int Call, int MatrixLine)
{
    public static KindCounts Of(IEnumerable<DashboardLine> lines)
    {
        var n = new int[Enum.GetValues<CommitmentKind>().Length];
        foreach (var line in lines)
        {
            n[(int)line.Kind]++;
        }

        return Of(n);
    }

    public static KindCounts Of(int[] n) => new(n[0], n[1], n[2], n[3], n[4], n[5]);

    public int[] ToArray() => [.. Enum.GetValues<CommitmentKind>().Select(k => this[k])];

    public int this[CommitmentKind kind] => kind switch
    {
        CommitmentKind.Coordination => Coordination,
        CommitmentKind.Mechanism => Mechanism,
        CommitmentKind.Agreement => Agreement,
        CommitmentKind.Programme => Programme,
        CommitmentKind.Call => Call,
        CommitmentKind.MatrixLine => MatrixLine,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a commitment kind"),
    };
}

/// <summary>Commitments by the basis of their facts, every basis present.</summary>
public sealed record BasisCounts(int Stated, int AgendaTopic, int Recorded)
{
    public static BasisCounts Of(IEnumerable<DashboardLine> lines)
    {
        var n = new int[Enum.GetValues<Basis>().Length];
        foreach (var line in lines)
        {
            n[(int)line.Basis]++;
        }

        return Of(n);
    }

    public static BasisCounts Of(int[] n) => new(n[0], n[1], n[2]);

    public int[] ToArray() => [.. Enum.GetValues<Basis>().Select(b => this[b])];

    public int this[Basis basis] => basis switch
    {
        Basis.Stated => Stated,
        Basis.AgendaTopic => AgendaTopic,
        Basis.Recorded => Recorded,
        _ => throw new ArgumentOutOfRangeException(nameof(basis), basis, "not a basis"),
    };
}
