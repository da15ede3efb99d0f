namespace Ledger.Host.Writing.Idempotency;

/// <summary>Set on a request that carries a fresh Idempotency-Key; the writer records it with the events.</summary>
public sealed class IdempotencyFeature(string id, string key, string user, string requestHash)
{
    public string Id { get; } = id;

    public string Key { get; } = key;

    public string User { get; } = user;

    public string RequestHash { get; } = requestHash;
}
