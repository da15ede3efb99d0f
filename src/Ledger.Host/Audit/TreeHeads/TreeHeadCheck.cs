using System.Text.Json;
using Ledger.Domain.Audit;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Host.CommandLine;
using Ledger.Host.Hosting;

namespace Ledger.Host.Audit.TreeHeads;

/// <summary>
/// <c>verify --tree-head FILE --public-key FILE [--previous FILE [--proof FILE]]</c>: checks signed heads offline, with
/// the ledger's public keys alone: no host, no database. A page of heads is checked as a sequence (every signature,
/// every proof from the head before); with <c>--previous</c>, the head must extend that earlier head.
/// </summary>
public static class TreeHeadCheck
{
    public static async Task<bool> RunAsync(string headFile, string? keyFile, string? previousFile, string? proofFile)
    {
        if (keyFile is null)
        {
            return Refuse("A tree head is checked with the ledger's public key: give it with --public-key FILE (GET /api/ledger/tree-heads/keys publishes it).");
        }

        if (!TreeHeadFiles.TryReadPublicKeys(keyFile, out var keys, out var error) || !TreeHeadFiles.TryReadHeads(headFile, out var heads, out error))
        {
            return Refuse(error);
        }

        var sequence = TreeHeadVerification.CheckSequence([.. heads.Select(h => (h.Head, h.FromPrevious))], keys);
        if (!sequence.Holds)
        {
            return Refuse(sequence.Explanation);
        }

        foreach (var held in heads)
        {
            VerbOutput.Line("Signed:", "green", TreeHeadVerification.CheckSignature(held.Head, keys).Explanation + ".");
        }

        if (heads.Count > 1)
        {
            VerbOutput.Line("Consistent:", "green", sequence.Explanation + ".");
        }

        if (previousFile is null)
        {
            return proofFile is null || Refuse("--proof goes with --previous FILE: the earlier head the proof starts from.");
        }

        if (!TreeHeadFiles.TryReadHeads(previousFile, out var previousHeads, out error))
        {
            return Refuse(error);
        }

        var previous = previousHeads[^1];
        var previousSignature = TreeHeadVerification.CheckSignature(previous.Head, keys);
        if (!previousSignature.Holds)
        {
            return Refuse($"the previous head: {previousSignature.Explanation}");
        }

        var first = heads[0];
        var proof = first.FromPrevious;
        if (proofFile is not null)
        {
            try
            {
                proof = JsonSerializer.Deserialize<ConsistencyProof>(await File.ReadAllTextAsync(proofFile), ApiJson.Options);
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                return Refuse($"{proofFile} is not a consistency proof ({e.Message})");
            }
        }

        var consistency = TreeHeadVerification.CheckConsistency(previous.Head.Head, first.Head.Head, proof);
        if (!consistency.Holds)
        {
            return Refuse(consistency.Explanation);
        }

        VerbOutput.Line("Consistent:", "green", consistency.Explanation + ".");
        return true;
    }

    private static bool Refuse(string reason) => VerbOutput.Refuse(reason);
}
