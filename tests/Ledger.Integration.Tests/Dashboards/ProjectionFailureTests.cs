using Ledger.Host.ProjectionOps;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class ProjectionFailureTests
{
    [Fact]
    public void the_root_cause_is_the_innermost_message_without_its_type_or_stack()
    {
        const string detail = """
            JasperFx.Events.Daemon.EventLoaderException: Failure while trying to load events for projection shard 'Identity: activity-feed:All@Main'
             ---> Marten.Exceptions.EventDeserializationFailureException: Event deserialization error on sequence = 15054 for event type review-decision-recorded
             ---> System.Text.Json.JsonException: The JSON value could not be converted to Ledger.Domain.Commitments.ReviewDecisionRecorded. Path: $.rating | LineNumber: 0 | BytePositionInLine: 48.
               at System.Text.Json.ThrowHelper.ThrowJsonException(String message)
               --- End of inner exception stack trace ---
               at Marten.Events.EventDocumentStorage.ResolveAsync(DbDataReader reader, CancellationToken token)
            """;

        ProjectionFailure.RootCause(detail).ShouldBe(
            "The JSON value could not be converted to Ledger.Domain.Commitments.ReviewDecisionRecorded. Path: $.rating | LineNumber: 0 | BytePositionInLine: 48.");
    }

    [Fact]
    public void a_one_line_reason_stays_as_it_is_and_a_long_one_is_cut()
    {
        ProjectionFailure.RootCause("the shard was paused by an operator").ShouldBe("the shard was paused by an operator");
        ProjectionFailure.RootCause(new string('x', 1000)).Length.ShouldBe(301);
    }
}
