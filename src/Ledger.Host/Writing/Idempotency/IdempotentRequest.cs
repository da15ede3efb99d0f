using NodaTime;

namespace Ledger.Host.Writing.Idempotency;

/// <summary>
/// One write made with an <c>Idempotency-Key</c>. The record is inserted in the same transaction as
/// the write's events, together with the answer, so a key can never record twice, even when two retries
/// race, and a retry with the same key and body gets exactly that answer back, even after a crash.
/// <see cref="Id"/> hashes the caller and the key, so one caller cannot block another's key.
/// </summary>
public sealed class IdempotentRequest
{
    public required string Id { get; init; }

    public required string Key { get; init; }

    public required string User { get; init; }

    /// <summary>SHA-256 of the method, path, query and body: the same key with another request is refused.</summary>
    public required string RequestHash { get; init; }

    public required Instant RecordedAt { get; init; }

    /// <summary>When the record may be removed (unix seconds, queryable); at least 24 hours after it was made.</summary>
    public required long ExpiresAtUnixSeconds { get; init; }

    public StoredResponse? Response { get; set; }
}

public sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, string? ETag, string Body);
