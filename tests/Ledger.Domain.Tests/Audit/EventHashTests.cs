using System.Text.Json;
using Ledger.Domain.Audit;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Audit;

/// <summary>
/// The chain hash: a vector recomputed with the jq and sha256sum recipe of docs/audit.md, the fast
/// envelope against <see cref="EventHashReference"/>, and the stored-data path against
/// <see cref="EventHash.Compute"/> over <see cref="CanonicalJson.Canonicalize(string)"/>.
/// </summary>
public class EventHashTests
{
    private const string Previous = "5f2b1e4d8c3a7a9b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f70819";

    /// <summary>The data as PostgreSQL's jsonb text holds it.</summary>
    private const string StoredData = """
        {"code": "AST-2024-06", "rating": "on-track", "meeting": "AST-2024", "remarks": "Revue \"approuvée\" à Astana —\n\tsee annex 2/3 \ud83c\udf0d", "decision": "continue", "recordedAt": "2024-07-25T06:00:00Z", "recordedBy": {"user": "secretariat@iofs.org", "organization": "IOFS"}, "nextReviewDue": null}
        """;

    /// <summary>What <c>jq -cjS '{data: .data, prev: $prev, ...}' | sha256sum</c> printed for this event.</summary>
    private const string JqHash = "791a31b8691b1de6c2ef57bbd2a9951b02e5882ee359b460f73a9def3ed2031c";

    private static readonly DateTimeOffset Timestamp = new(2024, 7, 25, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_stored_event_hashes_to_what_the_published_jq_recipe_gives()
    {
        EventHash.ComputeFromStoredData(Previous, "AST-2024-06", 2, "review-decision-recorded", Timestamp, StoredData).ShouldBe(JqHash);
        EventHash.Compute(Previous, "AST-2024-06", 2, "review-decision-recorded", Timestamp, CanonicalJson.Canonicalize(StoredData)).ShouldBe(JqHash);
    }

    [Fact]
    public void The_envelope_is_canonical_json_with_its_members_in_name_order()
    {
        var envelope = EventHash.Envelope(EventHash.Genesis, "AST-2024-06", 2, "review-decision-recorded",
            new DateTimeOffset(2024, 7, 25, 8, 0, 0, 123, 456, TimeSpan.FromHours(2)).AddTicks(7), """{"a":1}""");

        envelope.ShouldBe("""{"data":{"a":1},"prev":"0000000000000000000000000000000000000000000000000000000000000000","stream":"AST-2024-06","timestamp":"2024-07-25T06:00:00.123456Z","type":"review-decision-recorded","version":2}""");
        CanonicalJson.Canonicalize(envelope).ShouldBe(envelope);
    }

    [Fact]
    public void Names_that_need_escaping_are_escaped_as_canonical_strings()
    {
        var envelope = EventHash.Envelope("p\"v", "stré\u0001am/😀", -7, "t\\y\npe", Timestamp, "null");

        envelope.ShouldBe("{\"data\":null,\"prev\":\"p\\\"v\",\"stream\":\"stré\\u0001am/😀\",\"timestamp\":\"2024-07-25T06:00:00.000000Z\",\"type\":\"t\\\\y\\npe\",\"version\":-7}");
        envelope.ShouldBe(EventHashReference.Envelope("p\"v", "stré\u0001am/😀", -7, "t\\y\npe", Timestamp, "null"));
    }

    [Fact]
    public void Random_events_hash_and_envelope_exactly_as_the_reference()
    {
        var samples = new JsonSamples(seed: 5);
        var random = new Random(5);
        for (var i = 0; i < 3000; i++)
        {
            var (previous, stream, version, type, timestamp) = RandomEvent(samples, random);
            var data = CanonicalJson.Canonicalize(samples.Document(maxDepth: 3));

            EventHash.Envelope(previous, stream, version, type, timestamp, data)
                .ShouldBe(EventHashReference.Envelope(previous, stream, version, type, timestamp, data));
            EventHash.Compute(previous, stream, version, type, timestamp, data)
                .ShouldBe(EventHashReference.Compute(previous, stream, version, type, timestamp, data));
        }
    }

    [Fact]
    public void Timestamps_are_written_to_the_microsecond_in_utc_as_TimestampText_writes_them()
    {
        var random = new Random(11);
        DateTimeOffset[] edges = [DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch, new(2024, 2, 29, 23, 59, 59, TimeSpan.FromHours(-14))];
        foreach (var timestamp in edges.Concat(Enumerable.Range(0, 2000).Select(_ => RandomTimestamp(random))))
        {
            var text = EventHash.TimestampText(timestamp);
            text.ShouldBe(EventHashReference.TimestampText(timestamp));
            EventHash.Envelope("p", "s", 1, "t", timestamp, "0").ShouldContain($"\"timestamp\":\"{text}\"");
        }
    }

    [Fact]
    public void Unpaired_surrogates_and_missing_names_hash_as_the_reference()
    {
        EventHash.Compute("a\uD800", null!, 3, "\uDE00b", Timestamp, "{\"x\":\"\uD83D\"}")
            .ShouldBe(EventHashReference.Compute("a\uD800", null!, 3, "\uDE00b", Timestamp, "{\"x\":\"\uD83D\"}"));
        EventHash.Envelope(null!, "s", 3, null!, Timestamp, "1").ShouldContain("\"prev\":null,\"stream\":\"s\"");
        EventHash.Envelope(null!, "s", 3, null!, Timestamp, "1").ShouldBe(EventHashReference.Envelope(null!, "s", 3, null!, Timestamp, "1"));
    }

    [Fact]
    public void Hashing_stored_data_equals_computing_over_its_canonical_form()
    {
        var samples = new JsonSamples(seed: 2024);
        var random = new Random(2024);
        var hash = new byte[EventHash.HashSize];
        for (var i = 0; i < 3000; i++)
        {
            var (previous, stream, version, type, timestamp) = RandomEvent(samples, random);
            var stored = i % 2 == 0 ? JsonSamples.Jsonb(samples.EventPayload()) : samples.Document();
            var expected = EventHashReference.Compute(previous, stream, version, type, timestamp, CanonicalJsonReference.Canonicalize(stored));

            EventHash.Compute(previous, stream, version, type, timestamp, CanonicalJson.Canonicalize(stored)).ShouldBe(expected);
            EventHash.ComputeFromStoredData(previous, stream, version, type, timestamp, stored).ShouldBe(expected, stored);

            EventHash.HashStoredData(previous, stream, version, type, timestamp, stored, hash);
            hash.ShouldBe(Convert.FromHexString(expected));

            EventHash.MatchesStoredData(expected, previous, stream, version, type, timestamp, stored).ShouldBeTrue();
            EventHash.MatchesStoredData(expected, previous, stream, version + 1, type, timestamp, stored).ShouldBeFalse();
        }
    }

    [Fact]
    public void Only_the_exact_lowercase_hex_hash_matches()
    {
        bool Matches(string? expected) =>
            EventHash.MatchesStoredData(expected, Previous, "AST-2024-06", 2, "review-decision-recorded", Timestamp, StoredData);

        Matches(JqHash).ShouldBeTrue();
        Matches(JqHash.ToUpperInvariant()).ShouldBeFalse();
        Matches(JqHash[..63] + "d").ShouldBeFalse();
        Matches(JqHash[..63]).ShouldBeFalse();
        Matches(JqHash + "0").ShouldBeFalse();
        Matches(string.Empty).ShouldBeFalse();
        Matches(null).ShouldBeFalse();
    }

    [Fact]
    public void Altered_data_no_longer_matches()
    {
        var altered = StoredData.Replace("continue", "continuf", StringComparison.Ordinal);

        EventHash.MatchesStoredData(JqHash, Previous, "AST-2024-06", 2, "review-decision-recorded", Timestamp, altered).ShouldBeFalse();
        EventHash.MatchesStoredData(JqHash, Previous, "AST-2024-06", 2, "review-decision-recorded", Timestamp.AddTicks(10), StoredData).ShouldBeFalse();
        EventHash.MatchesStoredData(JqHash, Previous, "AST-2024-07", 2, "review-decision-recorded", Timestamp, StoredData).ShouldBeFalse();
    }

    [Fact]
    public void Missing_canonical_data_is_refused()
    {
        Should.Throw<ArgumentNullException>(() => EventHash.Compute(Previous, "s", 1, "t", Timestamp, null!));
        Should.Throw<ArgumentNullException>(() => EventHash.Envelope(Previous, "s", 1, "t", Timestamp, null!));
    }

    [Fact]
    public void Stored_data_that_is_not_json_is_refused_whatever_the_expected_hash()
    {
        Should.Throw<JsonException>(() => EventHash.ComputeFromStoredData(Previous, "s", 1, "t", Timestamp, "{\"a\":"));
        Should.Throw<JsonException>(() => EventHash.MatchesStoredData(JqHash, Previous, "s", 1, "t", Timestamp, "{\"a\":"));
        Should.Throw<InvalidOperationException>(() => EventHash.ComputeFromStoredData(Previous, "s", 1, "t", Timestamp, "\"\\uD800\""));
        Should.Throw<ArgumentNullException>(() => EventHash.ComputeFromStoredData(Previous, "s", 1, "t", Timestamp, null!));
        Should.Throw<ArgumentException>(() => EventHash.HashStoredData(Previous, "s", 1, "t", Timestamp, "1", new byte[31]));
    }

    private static (string Previous, string Stream, long Version, string Type, DateTimeOffset Timestamp) RandomEvent(JsonSamples samples, Random random)
    {
        var previous = random.Next(4) switch
        {
            0 => EventHash.Genesis,
            1 => samples.Text(),
            2 => samples.BrokenText(),
            _ => RandomHash(random),
        };
        var stream = random.Next(3) == 0 ? samples.BrokenText() : "AST-2024-" + samples.Text(3);
        var type = random.Next(3) == 0 ? samples.Text() : "commitment-pledged";
        var version = random.Next(3) switch
        {
            0 => random.NextInt64(),
            1 => -random.NextInt64(),
            _ => random.Next(1, 50),
        };
        return (previous, stream, version, type, RandomTimestamp(random));
    }

    private static string RandomHash(Random random)
    {
        var hash = new byte[EventHash.HashSize];
        random.NextBytes(hash);
        return Convert.ToHexStringLower(hash);
    }

    private static DateTimeOffset RandomTimestamp(Random random) =>
        new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), TimeSpan.Zero)
            .ToOffset(TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1)));
}
