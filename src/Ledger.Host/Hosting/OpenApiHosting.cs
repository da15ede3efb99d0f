using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Ledger.Host.Hosting;

/// <summary>The OpenAPI document at /openapi/v1.json and a browsable reference at /scalar/v1.</summary>
public static class OpenApiHosting
{
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Meetings"] = "The UN–OIC meetings with their working sessions, and a meeting's batch of review decisions.",
        ["Commitments"] = "Commitments as read models, and the secretariat's and focal points' writes on them.",
        ["Imports"] = "A meeting's matrix of commitments, imported all or nothing.",
        ["Dashboards"] = "Projections for dashboards: boards, portfolios, coverage, overdue items and activity.",
        ["Projections"] = "Freshness of the read models and the proof that a rebuild equals them.",
        ["Operations"] = "Health of the host, its database and its projections.",
        ["Ledger"] = "The ledger in global order, its export and its tamper evidence.",
    };

    public static IServiceCollection AddLedgerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddOperationTransformer(DescribeBodyReadByTheEndpoint);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "UN–OIC Commitment Ledger",
                    Version = "v1",
                    Description = "Every pledge, progress report and review decision of the UN–OIC cooperation meetings, "
                                  + "kept as immutable events; every read model is a projection. Writes need a bearer token "
                                  + "(roles: secretariat, focal-point, auditor, viewer); errors are RFC 9457 problem details.",
                };
                // Servers are this host as the request reached it, written without a trailing slash.
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }

                foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                {
                    tag.Description ??= tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description) ? description : null;
                }

                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A token from the identity provider, or locally: `token --role secretariat`.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// An endpoint that reads its body itself (the matrix import, JSON or CSV; the verification's optional
    /// digest) declares it with <c>[Consumes(typeof(…), …)]</c>; this puts that body in its operation.
    /// </summary>
    private static async Task DescribeBodyReadByTheEndpoint(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (operation.RequestBody is not null
            || context.Description.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>().LastOrDefault() is not { RequestType: { } type } accepts)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(type, null, ct);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = !accepts.IsOptional,
            Content = accepts.ContentTypes.ToDictionary(t => t, t => new OpenApiMediaType
            {
                Schema = t == "text/csv"
                    ? new OpenApiSchema { Type = JsonSchemaType.String, Description = "RFC 4180 CSV whose first line names the columns." }
                    : schema,
            }),
        };
    }

    public static WebApplication MapLedgerOpenApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(options => options.WithTitle("UN–OIC Commitment Ledger API")).AllowAnonymous();
        return app;
    }
}
