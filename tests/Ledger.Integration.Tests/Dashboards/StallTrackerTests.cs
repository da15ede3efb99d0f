using Ledger.Host.ProjectionOps;
using NodaTime;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class StallTrackerTests
{
    private static readonly Instant T0 = Instant.FromUtc(2024, 7, 25, 6, 0);
    private static readonly Duration Minute = Duration.FromMinutes(1);

    [Fact]
    public void behind_and_unmoved_for_the_stall_time_is_stalled()
    {
        var tracker = new StallTracker();

        tracker.Observe("meeting-board", 10, 12, T0, Minute).ShouldBe(ProjectionState.CatchingUp);
        tracker.Observe("meeting-board", 10, 12, T0 + Duration.FromSeconds(59), Minute).ShouldBe(ProjectionState.CatchingUp);
        tracker.Observe("meeting-board", 10, 12, T0 + Minute, Minute).ShouldBe(ProjectionState.Stalled);
    }

    [Fact]
    public void moving_resets_the_clock_and_reaching_the_mark_is_caught_up()
    {
        var tracker = new StallTracker();

        tracker.Observe("meeting-board", 10, 20, T0, Minute);
        tracker.Observe("meeting-board", 11, 20, T0 + Duration.FromSeconds(50), Minute).ShouldBe(ProjectionState.CatchingUp);
        tracker.Observe("meeting-board", 11, 20, T0 + Duration.FromSeconds(100), Minute).ShouldBe(ProjectionState.CatchingUp);
        tracker.Observe("meeting-board", 20, 20, T0 + Duration.FromSeconds(200), Minute).ShouldBe(ProjectionState.CaughtUp);
    }

    [Fact]
    public void an_idle_projection_is_not_stalled_the_moment_a_new_event_arrives()
    {
        var tracker = new StallTracker();

        tracker.Observe("meeting-board", 20, 20, T0, Minute).ShouldBe(ProjectionState.CaughtUp);
        tracker.Observe("meeting-board", 20, 21, T0 + Duration.FromHours(3), Minute).ShouldBe(ProjectionState.CatchingUp);
    }

    [Fact]
    public void projections_are_tracked_apart()
    {
        var tracker = new StallTracker();

        tracker.Observe("a", 1, 5, T0, Minute);
        tracker.Observe("b", 5, 5, T0, Minute);
        tracker.Observe("a", 1, 5, T0 + Duration.FromMinutes(2), Minute).ShouldBe(ProjectionState.Stalled);
        tracker.Observe("b", 4, 5, T0 + Duration.FromMinutes(2), Minute).ShouldBe(ProjectionState.CatchingUp);
    }
}
