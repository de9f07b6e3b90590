using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// The host's choice of function for a request: every <c>httpTrigger</c> at <c>{routePrefix}/{route}</c> (route
/// defaults to the function name), matched with ASP.NET Core's template matcher (so a catch-all such as
/// <c>announce/{*passkey}</c> also matches <c>/announce</c>), inline constraints checked, more specific templates
/// first. A route that matches with the wrong method is skipped: the host answers 404, not 405, when none is left.
/// </summary>
internal sealed class HttpRouteTable
{
    private readonly List<HttpRoute> _routes = [];

    public HttpRouteTable(IEnumerable<LoadedFunction> functions, string routePrefix, IInlineConstraintResolver constraints)
    {
        var prefix = routePrefix.Trim('/');
        foreach (var function in functions)
        {
            if (function.Error is not null || function.Trigger is not { } trigger || !trigger.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var route = (trigger.Route ?? function.Name).Trim('/');
            var template = TemplateParser.Parse(prefix.Length == 0 ? route : route.Length == 0 ? prefix : $"{prefix}/{route}");
            var defaults = new RouteValueDictionary();
            var routeConstraints = new Dictionary<string, IRouteConstraint>(StringComparer.OrdinalIgnoreCase);
            foreach (var parameter in template.Parameters)
            {
                if (parameter.DefaultValue is not null)
                {
                    defaults[parameter.Name!] = parameter.DefaultValue;
                }

                foreach (var inline in parameter.InlineConstraints)
                {
                    routeConstraints[parameter.Name!] = constraints.ResolveConstraint(inline.Constraint)
                        ?? throw new FunctionsHostEmulatorException($"Function '{function.Name}': unknown route constraint '{inline.Constraint}'.");
                }
            }

            _routes.Add(new HttpRoute(function, trigger, template, new TemplateMatcher(template, defaults), routeConstraints, ParseAuthLevel(trigger.AuthLevel)));
        }

        // Literal segments before parameters, parameters before catch-alls, as ASP.NET Core orders inbound routes.
        _routes.Sort((a, b) =>
        {
            var byPrecedence = RoutePrecedence.ComputeInbound(a.Template).CompareTo(RoutePrecedence.ComputeInbound(b.Template));
            return byPrecedence != 0 ? byPrecedence : string.CompareOrdinal(a.Template.TemplateText, b.Template.TemplateText);
        });
    }

    public IReadOnlyList<HttpRoute> Routes => _routes;

    /// <summary>The function that serves this request and its route values, or null (404).</summary>
    public (HttpRoute Route, RouteValueDictionary Values)? Match(HttpContext context)
    {
        foreach (var route in _routes)
        {
            var values = new RouteValueDictionary();
            if (!route.Matcher.TryMatch(context.Request.Path, values) || !route.Allows(context.Request.Method) || !ConstraintsHold(route, context, values))
            {
                continue;
            }

            return (route, values);
        }

        return null;
    }

    private static bool ConstraintsHold(HttpRoute route, HttpContext context, RouteValueDictionary values)
    {
        foreach (var (name, constraint) in route.Constraints)
        {
            if (values.TryGetValue(name, out var value) && value is not null &&
                !constraint.Match(context, null, name, values, RouteDirection.IncomingRequest))
            {
                return false;
            }
        }

        return true;
    }

    // The HttpTrigger attribute's default is Function, so a binding without authLevel is keyed.
    private static HttpAuthLevel ParseAuthLevel(string? level) => level?.ToLowerInvariant() switch
    {
        null or "function" => HttpAuthLevel.Function,
        "anonymous" => HttpAuthLevel.Anonymous,
        "admin" or "system" => HttpAuthLevel.Admin,
        _ => throw new FunctionsHostEmulatorException($"Unknown authLevel '{level}'."),
    };
}

/// <summary>The key a route asks for: none, a function key (or the master key), or the master key only.</summary>
internal enum HttpAuthLevel
{
    Anonymous,
    Function,
    Admin,
}

internal sealed record HttpRoute(
    LoadedFunction Function,
    FunctionBinding Trigger,
    RouteTemplate Template,
    TemplateMatcher Matcher,
    IReadOnlyDictionary<string, IRouteConstraint> Constraints,
    HttpAuthLevel AuthLevel)
{
    /// <summary>No methods listed means every method, as in function.json.</summary>
    public bool Allows(string method) =>
        Trigger.Methods.Count == 0 || Trigger.Methods.Any(m => m.Equals(method, StringComparison.OrdinalIgnoreCase));

    /// <summary>The host's key check: <c>x-functions-key</c> first, then <c>?code=</c>.</summary>
    public bool Authorizes(HttpRequest request, EmulatorOptions options)
    {
        if (AuthLevel == HttpAuthLevel.Anonymous)
        {
            return true;
        }

        var key = request.Headers.TryGetValue("x-functions-key", out var header) ? header.ToString() : request.Query["code"].ToString();
        return key.Length > 0 && (key == options.MasterKey || (AuthLevel == HttpAuthLevel.Function && key == options.FunctionKey));
    }
}
