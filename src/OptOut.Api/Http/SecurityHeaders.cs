namespace OptOut.Http;

/// <summary>Headers that keep browsers and caches from mishandling health data, on every response.</summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (!http.Request.Path.StartsWithSegments("/swagger"))
        {
            // API answers are data, never pages to render, and never for a shared cache to keep.
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            headers.CacheControl = "no-store";
        }

        await next(http);
    });
}
