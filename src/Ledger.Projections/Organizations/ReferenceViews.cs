using Ledger.Domain.Common;
using Ledger.Domain.Organizations;
using Marten.Events.Aggregation;

namespace Ledger.Projections.Organizations;

/// <summary>An organization. <see cref="Id"/> is the stream key (<c>organization:FAO</c>).</summary>
public sealed record OrganizationView(string Id, string Code, string Name, OrganizationFamily Family, string? Note);

/// <summary>A policy framework. <see cref="Id"/> is the stream key (<c>framework:UN-2030</c>).</summary>
public sealed record FrameworkView(string Id, string Code, string Name);

public sealed partial class OrganizationViewProjection : SingleStreamProjection<OrganizationView, string>
{
    public static OrganizationView Create(OrganizationRegistered e) =>
        new(StreamKeys.Organization(e.Code), e.Code, e.Name, e.Family, e.Note);
}

public sealed partial class FrameworkViewProjection : SingleStreamProjection<FrameworkView, string>
{
    public static FrameworkView Create(FrameworkRegistered e) => new(StreamKeys.Framework(e.Code), e.Code, e.Name);
}
