using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Common;

public class StreamKeysTests
{
    [Fact]
    public void Streams_are_keyed_by_readable_natural_keys()
    {
        StreamKeys.Commitment("AST-2024-06").ShouldBe("AST-2024-06");
        StreamKeys.Meeting("AST-2024").ShouldBe("meeting:AST-2024");
        StreamKeys.Organization("IOFS").ShouldBe("organization:IOFS");
        StreamKeys.Framework("UN-2030").ShouldBe("framework:UN-2030");
    }

    [Theory]
    [InlineData("AST-2024")]
    [InlineData("IOFS")]
    [InlineData("UN-2030")]
    public void A_reference_stream_key_is_never_a_commitment_code(string code)
    {
        CommitmentCode.IsWellFormed(StreamKeys.Meeting(code)).ShouldBeFalse();
        CommitmentCode.IsWellFormed(StreamKeys.Organization(code)).ShouldBeFalse();
        CommitmentCode.IsWellFormed(StreamKeys.Framework(code)).ShouldBeFalse();
    }
}
