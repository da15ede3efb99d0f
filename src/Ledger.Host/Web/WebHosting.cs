using Ledger.Host.Security;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Web;

/// <summary>
/// The web dashboard: plain HTML, CSS and JavaScript modules under <c>wwwroot</c>, served by the host
/// itself (nothing from a CDN). The pages are anonymous; the JSON they read carries its own policies.
/// </summary>
/// <remarks>
/// One page, <c>wwwroot/index.html</c>, answers every dashboard route below; its script renders the
/// view the path names. Any other path under the site is a static file or a 404.
/// </remarks>
public static class WebHosting
{
    /// <summary>The dashboard's routes; each answers <c>index.html</c>.</summary>
    public static IReadOnlyList<string> PageRoutes { get; } =
    [
        "/",
        "/meetings/{code}",
        "/organizations/{code}",
        "/countries/{iso3}",
        "/overdue",
        "/activity",
        "/commitments/{code}",
        SessionEndpoint.SignedInPath,
    ];

    private const string Page = "index.html";

    /// <summary>
    /// Everything the pages load comes from the host; inline SVG is built with DOM calls, so no inline
    /// script or style is needed. data: is for the favicon fallback of old browsers. When the pages
    /// sign people in through an identity provider, they may also call it (its discovery document and
    /// token endpoint, at the authority's origin), and nothing else.
    /// </summary>
    public static string ContentSecurityPolicy(AuthOptions auth)
    {
        var connect = auth.OffersWebSignIn && Uri.TryCreate(auth.Authority, UriKind.Absolute, out var authority)
            ? $"'self' {authority.GetLeftPart(UriPartial.Authority)}"
            : "'self'";
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
               $"connect-src {connect}; font-src 'self'; object-src 'none'; base-uri 'self'; " +
               "form-action 'self'; frame-ancestors 'none'";
    }

    /// <summary>
    /// Serves <c>wwwroot</c> also when the host runs from its build output outside Development
    /// (<c>./run.sh</c> runs <c>dotnet run -c Release</c>): the static web assets manifest the SDK
    /// writes next to the assembly points at the project's <c>wwwroot</c>. A published host has
    /// <c>wwwroot</c> beside it and no manifest, so this changes nothing there.
    /// </summary>
    public static WebApplicationBuilder AddLedgerWeb(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    /// <summary>
    /// Static files and the dashboard's routes. Call it before authentication, so the pages and
    /// their assets never ask for a token.
    /// </summary>
    public static WebApplication MapLedgerWeb(this WebApplication app)
    {
        var policy = ContentSecurityPolicy(app.Services.GetRequiredService<IOptions<AuthOptions>>().Value);
        var contentTypes = new FileExtensionContentTypeProvider();
        contentTypes.Mappings[".js"] = "text/javascript; charset=utf-8";
        contentTypes.Mappings[".css"] = "text/css; charset=utf-8";

        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = contentTypes,
            OnPrepareResponse = file => AddHeaders(file.Context.Response, file.File.Name.EndsWith(".html", StringComparison.Ordinal) ? policy : null),
        });

        foreach (var route in PageRoutes)
        {
            app.MapGet(route, (HttpResponse response) => ServePage(response, policy))
                .AllowAnonymous()
                .ExcludeFromDescription();
        }

        return app;
    }

    private static IResult ServePage(HttpResponse response, string policy)
    {
        AddHeaders(response, policy);
        return Results.File(Page, "text/html; charset=utf-8");
    }

    /// <summary>The headers of every page and asset; <paramref name="policy"/> is the content security policy of a page, null for an asset.</summary>
    private static void AddHeaders(HttpResponse response, string? policy)
    {
        var headers = response.Headers;

        // Revalidate every time (cheap: ETag and Last-Modified), so a new version is never mixed with a cached one.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        if (policy is not null)
        {
            headers.ContentSecurityPolicy = policy;
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
        }
    }
}
