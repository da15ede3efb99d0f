using JasperFx;
using JasperFx.CodeGeneration;
using Ledger.Host.Security;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Writing;

/// <summary>How large a write's body may be.</summary>
public enum WriteBody
{
    /// <summary>One command: <see cref="WriteLimits.CommandBodyBytes"/>.</summary>
    Command,

    /// <summary>A meeting's batch of review decisions: <see cref="WriteLimits.BatchBodyBytes"/>.</summary>
    Batch,

    /// <summary>A matrix import: <see cref="WriteLimits.ImportBodyBytes"/>.</summary>
    Import,
}

/// <summary>
/// Marks an endpoint as a write to the ledger. <see cref="LedgerWritePolicy"/> then gives it what every
/// write has: the per-caller write rate limit, a body size limit, and the problem answers a write can
/// give. Authorization stays on each endpoint, where who may write what is decided.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LedgerWriteAttribute(WriteBody body = WriteBody.Command) : Attribute
{
    public WriteBody Body { get; } = body;

    public long MaxBodyBytes => Body switch
    {
        WriteBody.Batch => WriteLimits.BatchBodyBytes,
        WriteBody.Import => WriteLimits.ImportBodyBytes,
        _ => WriteLimits.CommandBodyBytes,
    };
}

/// <summary>Applies the conventions of <see cref="LedgerWriteAttribute"/> to every write endpoint, in one place.</summary>
public sealed class LedgerWritePolicy : IHttpPolicy
{
    /// <summary>What any write may answer besides its success: refusals of the request, the caller, the size, the rate, and conflicts.</summary>
    public static IReadOnlyList<int> ProblemStatuses { get; } =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
        StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity,
        StatusCodes.Status429TooManyRequests,
    ];

    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains)
        {
            if (chain.Method.Method.GetCustomAttributes(typeof(LedgerWriteAttribute), false) is not [LedgerWriteAttribute write])
            {
                continue;
            }

            chain.Metadata.WithMetadata(write); // the request telemetry counts a write by it
            chain.Metadata.RequireRateLimiting(SecurityHosting.WriteRateLimit);
            chain.Metadata.WithMetadata(new RequestSizeLimitAttribute(write.MaxBodyBytes));
            foreach (var status in ProblemStatuses)
            {
                chain.Metadata.ProducesProblem(status);
            }
        }
    }
}
