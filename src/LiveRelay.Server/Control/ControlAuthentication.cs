using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Rundowns;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Server.Api;
using LiveRelay.Server.Configuration;
using LiveRelay.Server.Newsroom;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace LiveRelay.Server.Control;

/// <summary>
/// Sign-in for the control page and its hub: a cookie for the browser, a bearer token for scripts
/// and SignalR clients (<c>?access_token=</c> on the hub's WebSocket), both from
/// <c>POST /api/auth/login</c>, both signed with keys kept under <c>{DataDir}/keys</c>.
/// </summary>
public static class ControlAuthentication
{
    /// <summary>The scheme that picks the bearer token when one is presented, else the cookie.</summary>
    public const string Scheme = "LiveRelay";

    public const string CookieName = "liverelay.auth";

    public static IServiceCollection AddControlAuthentication(this IServiceCollection services, string dataDir, AuthOptions auth)
    {
        var session = TimeSpan.FromHours(auth.SessionHours);
        services.AddDataProtection()
            .SetApplicationName("LiveRelay")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, "keys")));
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "cookie or bearer token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query.ContainsKey("access_token"))
                    ? BearerTokenDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = session;

                // A sign-in lasts SessionHours from the sign-in, however busy the page is.
                o.SlidingExpiration = false;

                // An API and a hub: say 401/403, never redirect to a login page.
                o.Events.OnRedirectToLogin = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            })
            .AddBearerToken(o =>
            {
                o.BearerTokenExpiration = session;
                o.Events.OnMessageReceived = context =>
                {
                    // Browsers cannot set headers on a WebSocket: SignalR sends the token in the query there.
                    if (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                };
            });
        services.AddAuthorization();
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<ControlConnections>();
        return services;
    }

    /// <summary>After authentication: a sign-in of a user removed since counts as no sign-in.</summary>
    public static IApplicationBuilder UseRemovedUsersSignedOut(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (ControlUser.From(context.User) is { } user
            && !await context.RequestServices.GetRequiredService<UserAccounts>().ExistsAsync(user.Id).ConfigureAwait(false))
        {
            context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
        }

        await next(context).ConfigureAwait(false);
    });

    public static IEndpointRouteBuilder MapControlAuthentication(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/api/auth").WithTags("Sign-in");
        auth.MapPost("/login", async (SignIn input, HttpContext context, UserAccounts accounts, INewsroomStore store, IOptionsMonitor<BearerTokenOptions> bearer, AuthOptions options, TimeProvider time) =>
        {
            var address = context.Connection.RemoteIpAddress?.ToString() ?? "";
            if (accounts.IsThrottled(address))
            {
                context.Response.Headers.RetryAfter = "60";
                return Results.Json(new ApiError($"too many failed sign-ins from this address (over {UserAccounts.MaxFailuresPerMinute} a minute); try again in a minute"), statusCode: StatusCodes.Status429TooManyRequests);
            }

            var user = await accounts.SignInAsync(input.Username, input.Password, address).ConfigureAwait(false);
            if (user is null)
            {
                return Results.Json(new ApiError("wrong username or password"), statusCode: StatusCodes.Status401Unauthorized);
            }

            var expires = time.GetUtcNow().AddHours(options.SessionHours);
            var properties = new AuthenticationProperties { ExpiresUtc = expires, IsPersistent = true };
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, ControlUser.ToPrincipal(user, CookieAuthenticationDefaults.AuthenticationScheme), properties).ConfigureAwait(false);
            var ticket = new AuthenticationTicket(
                ControlUser.ToPrincipal(user, BearerTokenDefaults.AuthenticationScheme),
                new AuthenticationProperties { ExpiresUtc = expires },
                BearerTokenDefaults.AuthenticationScheme);
            var token = bearer.Get(BearerTokenDefaults.AuthenticationScheme).BearerTokenProtector.Protect(ticket);
            return Results.Ok(new SignInResult(token, expires, await DescribeAsync(user, store).ConfigureAwait(false)));
        })
        .WithSummary("Signs in: sets the liverelay.auth cookie and returns a bearer token for scripts and SignalR clients.");

        auth.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return Results.NoContent();
        });

        auth.MapGet("/me", async (HttpContext context, INewsroomStore store) =>
            ControlUser.From(context.User) is { } signedIn && await store.GetUserAsync(signedIn.Id).ConfigureAwait(false) is { } user
                ? Results.Ok(await DescribeAsync(user, store).ConfigureAwait(false))
                : Results.Json(new ApiError("not signed in"), statusCode: StatusCodes.Status401Unauthorized))
            .WithSummary("The signed-in user (cookie or bearer token), or 401.");

        var users = endpoints.MapGroup("/api/users").WithTags("Users").AddEndpointFilter(RequireUserAdmin);
        users.MapPost("/", async (NewUser input, HttpContext context, UserAccounts accounts, INewsroomStore store) =>
        {
            var result = await accounts.CreateAsync(input, Creator(context)).ConfigureAwait(false);
            return result.Ok
                ? Results.Created($"/api/users/{result.Value!.Id}", await DescribeAsync(result.Value, store).ConfigureAwait(false))
                : Results.Json(new ApiError(result.Message!), statusCode: result.Error == NewsroomError.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
        })
        .WithSummary("Adds a user (admin token, or an admin of the station). Passwords are stored as PBKDF2 hashes.");
        users.MapGet("/", async (HttpContext context, INewsroomStore store) =>
            await store.ListUsersAsync(Creator(context) is { IsHubWide: false } admin ? admin.StationId : null).ConfigureAwait(false));
        users.MapDelete("/{id}", async (string id, HttpContext context, INewsroomStore store, UserAccounts accounts, ControlConnections connections) =>
        {
            var user = await store.GetUserAsync(id).ConfigureAwait(false);
            if (user is null || (Creator(context) is { IsHubWide: false } admin && admin.StationId != user.StationId))
            {
                return Results.NotFound(new ApiError($"user {id} does not exist"));
            }

            // Signed out everywhere at once: sign-ins stop working and open pages are closed.
            await accounts.DeleteAsync(id).ConfigureAwait(false);
            connections.AbortAll(id);
            return Results.NoContent();
        })
        .WithSummary("Removes a user: their sign-ins stop working and their open control pages are closed.");
        return endpoints;
    }

    /// <summary>The admin user acting, or null when the admin token acts.</summary>
    private static ControlUser? Creator(HttpContext context) =>
        IsAdminToken(context) ? null : ControlUser.From(context.User);

    private static bool IsAdminToken(HttpContext context)
    {
        const string Bearer = "Bearer ";
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            && context.RequestServices.GetRequiredService<NewsroomSecrets>().IsAdmin(header.AsSpan(Bearer.Length).Trim());
    }

    private static async ValueTask<object?> RequireUserAdmin(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (IsAdminToken(http))
        {
            return await next(context).ConfigureAwait(false);
        }

        return ControlUser.From(http.User) switch
        {
            { Role: UserRole.Admin } => await next(context).ConfigureAwait(false),
            null => Results.Json(new ApiError("sign in as an admin, or use Authorization: Bearer <admin token>"), statusCode: StatusCodes.Status401Unauthorized),
            _ => Results.Json(new ApiError("only admins manage users"), statusCode: StatusCodes.Status403Forbidden),
        };
    }

    private static async Task<UserView> DescribeAsync(User user, INewsroomStore store)
    {
        var station = user.StationId is { } id ? await store.GetStationAsync(id).ConfigureAwait(false) : null;
        return new UserView(user.Id, user.Username, user.DisplayName, user.Role, user.StationId, station?.Name, user.CreatedAt);
    }
}

/// <summary>A user as the API shows it (never the password hash).</summary>
public sealed record UserView(string Id, string Username, string DisplayName, UserRole Role, string? StationId, string? StationName, DateTimeOffset CreatedAt);

/// <summary>A successful sign-in: the bearer token (the cookie is set too) and who signed in.</summary>
public sealed record SignInResult(string Token, DateTimeOffset ExpiresAt, UserView User);
