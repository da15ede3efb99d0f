using Ledger.Domain.Commitments;
using Shouldly;
using Xunit;
using static Ledger.Domain.Commitments.CommitmentStatus;

namespace Ledger.Domain.Tests.Commitments;

public class CommitmentLifecycleTests
{
    /// <summary>
    /// The documented lifecycle, written out: one row per status a commitment is in, one column per
    /// status it would move to; Y where the move is allowed. Completed, Withdrawn and CarriedForward are final.
    /// </summary>
    private const string Table = """
        from \ to       Proposed  Agreed  InProgress  Completed  Suspended  Withdrawn  CarriedForward
        Proposed          -         Y       Y           -          -          Y          Y
        Agreed            -         -       Y           Y          Y          Y          Y
        InProgress        -         -       -           Y          Y          Y          Y
        Completed         -         -       -           -          -          -          -
        Suspended         -         -       Y           -          -          Y          Y
        Withdrawn         -         -       -           -          -          -          -
        CarriedForward    -         -       -           -          -          -          -
        """;

    private static readonly string[][] Rows =
        [.. Table.ReplaceLineEndings("\n").Split('\n').Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    private static readonly CommitmentStatus[] Columns = [.. Rows[0].Skip(3).Select(Enum.Parse<CommitmentStatus>)];

    private static readonly Dictionary<CommitmentStatus, bool[]> Expected = Rows.Skip(1).ToDictionary(
        row => Enum.Parse<CommitmentStatus>(row[0]),
        row => row.Skip(1).Select(mark => mark == "Y").ToArray());

    public static TheoryData<CommitmentStatus, CommitmentStatus, bool> EveryPair()
    {
        var data = new TheoryData<CommitmentStatus, CommitmentStatus, bool>();
        foreach (var (from, row) in Expected)
        {
            row.Length.ShouldBe(Columns.Length, $"row {from}");
            for (var i = 0; i < Columns.Length; i++)
            {
                data.Add(from, Columns[i], row[i]);
            }
        }

        return data;
    }

    [Fact]
    public void An_event_of_another_stream_is_not_applied_to_a_commitment()
    {
        var current = Given.CommitmentIn(Agreed);

        Should.Throw<ArgumentException>(() => current.Then("not an event"));
    }

    [Fact]
    public void The_expected_table_covers_every_status_in_both_directions()
    {
        var all = Enum.GetValues<CommitmentStatus>();

        Expected.Keys.ShouldBe(all, ignoreOrder: true);
        Columns.ShouldBe(all, ignoreOrder: true);
        EveryPair().Count.ShouldBe(all.Length * all.Length);
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void CanMove_follows_the_documented_lifecycle(CommitmentStatus from, CommitmentStatus to, bool allowed)
    {
        CommitmentLifecycle.CanMove(from, to).ShouldBe(allowed, $"{from} -> {to}");
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void WhyNot_is_null_exactly_when_the_move_is_allowed(CommitmentStatus from, CommitmentStatus to, bool allowed)
    {
        var why = CommitmentLifecycle.WhyNot(from, to);

        if (allowed)
        {
            why.ShouldBeNull();
        }
        else
        {
            why.ShouldNotBeNullOrWhiteSpace();
            why.ShouldContain(CommitmentLifecycle.Describe(from));
            if (CommitmentLifecycle.IsTerminal(from))
            {
                why.ShouldContain("final");
            }
            else
            {
                why.ShouldContain($"cannot become {CommitmentLifecycle.Describe(to)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void AllowedAfter_lists_the_same_moves_as_CanMove(CommitmentStatus from, CommitmentStatus to, bool allowed)
    {
        CommitmentLifecycle.AllowedAfter(from).Contains(to).ShouldBe(allowed);
    }

    [Fact]
    public void WhyNot_names_the_moves_that_are_allowed_instead()
    {
        var why = CommitmentLifecycle.WhyNot(Suspended, Completed);

        why.ShouldBe("a commitment that is suspended cannot become completed; allowed next: in-progress, withdrawn, carried-forward");
    }

    [Fact]
    public void WhyNot_from_a_final_status_says_it_is_final()
    {
        CommitmentLifecycle.WhyNot(CarriedForward, InProgress).ShouldBe("the commitment is carried-forward, which is final");
    }

    [Theory]
    [InlineData(Proposed, false)]
    [InlineData(Agreed, false)]
    [InlineData(InProgress, false)]
    [InlineData(Suspended, false)]
    [InlineData(Completed, true)]
    [InlineData(Withdrawn, true)]
    [InlineData(CarriedForward, true)]
    public void Completed_withdrawn_and_carried_forward_are_final(CommitmentStatus status, bool final)
    {
        CommitmentLifecycle.IsTerminal(status).ShouldBe(final);
    }

    [Theory]
    [InlineData(Proposed, "proposed")]
    [InlineData(Agreed, "agreed")]
    [InlineData(InProgress, "in-progress")]
    [InlineData(Completed, "completed")]
    [InlineData(Suspended, "suspended")]
    [InlineData(Withdrawn, "withdrawn")]
    [InlineData(CarriedForward, "carried-forward")]
    public void Statuses_are_described_in_kebab_case(CommitmentStatus status, string described)
    {
        CommitmentLifecycle.Describe(status).ShouldBe(described);
    }

    [Fact]
    public void A_commitment_is_pledged_proposed_agreed_or_in_progress()
    {
        CommitmentLifecycle.InitialStatuses.ShouldBe([Proposed, Agreed, InProgress]);
    }

    [Fact]
    public void A_progress_report_sets_agreed_in_progress_completed_or_suspended()
    {
        CommitmentLifecycle.ReportableStatuses.ShouldBe([Agreed, InProgress, Completed, Suspended]);
    }
}
