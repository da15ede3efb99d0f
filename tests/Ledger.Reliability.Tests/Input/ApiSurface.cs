using System.Text.Json;

namespace Ledger.Reliability.Tests.Input;

/// <summary>What a value in the API is, as far as refusing it goes.</summary>
public enum ValueKind
{
    /// <summary>A string whose content the route checks (free text, a code): hostile characters and huge lengths are refused.</summary>
    Text,

    /// <summary>An integer number: anything that is not one is refused.</summary>
    Number,

    /// <summary>One of a set of names (an enum).</summary>
    Name,

    /// <summary>A string parsed as a date or an instant.</summary>
    Date,

    Boolean,

    /// <summary>A list of values of <see cref="Shape.Items"/>.</summary>
    List,

    /// <summary>An object of <see cref="Shape.Properties"/>.</summary>
    Record,
}

/// <summary>A value's shape, read from the OpenAPI document's schema.</summary>
public sealed record Shape(ValueKind Kind, Shape? Items = null, IReadOnlyDictionary<string, Shape>? Properties = null);

public sealed record QueryParameter(string Name, ValueKind Kind);

public sealed record RequestBody(IReadOnlyList<string> ContentTypes, Shape Schema);

/// <summary>One operation of the API: method, route template, parameters and body.</summary>
public sealed record ApiOperation(
    string Method, string Route, string OperationId, IReadOnlyList<QueryParameter> Query, IReadOnlyList<string> PathParameters, RequestBody? Body)
{
    public bool IsWrite => Method == "POST";

    public override string ToString() => $"{Method} {Route}";
}

/// <summary>
/// The API as the host itself describes it (<c>/openapi/v1.json</c>): every operation, its query and
/// path parameters and its body schema, so a route added to the host is in the corpus without a change here.
/// </summary>
public static class ApiSurface
{
    public static IReadOnlyList<ApiOperation> Read(JsonElement document)
    {
        var schemas = document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s)
            ? s
            : default;
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var query = new List<QueryParameter>();
                var route = new List<string>();
                if (operation.Value.TryGetProperty("parameters", out var parameters))
                {
                    foreach (var parameter in parameters.EnumerateArray())
                    {
                        var name = parameter.GetProperty("name").GetString()!;
                        switch (parameter.GetProperty("in").GetString())
                        {
                            case "query":
                                query.Add(new QueryParameter(name, ShapeOf(parameter.GetProperty("schema"), schemas, 0).Kind));
                                break;
                            case "path":
                                route.Add(name);
                                break;
                        }
                    }
                }

                RequestBody? body = null;
                if (operation.Value.TryGetProperty("requestBody", out var requestBody) && requestBody.TryGetProperty("content", out var content))
                {
                    var types = content.EnumerateObject().Select(c => c.Name).ToList();
                    var json = content.EnumerateObject().FirstOrDefault(c => c.Name == "application/json");
                    var schema = json.Value.ValueKind == JsonValueKind.Object && json.Value.TryGetProperty("schema", out var js)
                        ? ShapeOf(js, schemas, 0)
                        : new Shape(ValueKind.Record, Properties: new Dictionary<string, Shape>());
                    body = new RequestBody(types, schema);
                }

                operations.Add(new ApiOperation(
                    operation.Name.ToUpperInvariant(), path.Name,
                    operation.Value.TryGetProperty("operationId", out var id) ? id.GetString()! : $"{operation.Name} {path.Name}",
                    query, route, body));
            }
        }

        return operations;
    }

    private static Shape ShapeOf(JsonElement schema, JsonElement schemas, int depth)
    {
        if (depth > 8)
        {
            return new Shape(ValueKind.Text);
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            if (schemas.ValueKind != JsonValueKind.Object || !schemas.TryGetProperty(name, out var target))
            {
                return new Shape(ValueKind.Text);
            }

            return IsEmpty(target) ? new Shape(ValueKind.Date) : ShapeOf(target, schemas, depth + 1);
        }

        if (schema.TryGetProperty("oneOf", out var oneOf) || schema.TryGetProperty("anyOf", out oneOf))
        {
            var choice = oneOf.EnumerateArray().FirstOrDefault(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
            return choice.ValueKind == JsonValueKind.Object ? ShapeOf(choice, schemas, depth + 1) : new Shape(ValueKind.Text);
        }

        if (schema.TryGetProperty("enum", out _))
        {
            return new Shape(ValueKind.Name);
        }

        var types = !schema.TryGetProperty("type", out var type) ? []
            : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList()
            : [type.GetString()!];
        if (types.Contains("integer"))
        {
            return new Shape(ValueKind.Number);
        }

        if (types.Contains("boolean"))
        {
            return new Shape(ValueKind.Boolean);
        }

        if (types.Contains("array"))
        {
            return new Shape(ValueKind.List, Items: schema.TryGetProperty("items", out var items) ? ShapeOf(items, schemas, depth + 1) : new Shape(ValueKind.Text));
        }

        if (types.Contains("object") || schema.TryGetProperty("properties", out _))
        {
            var properties = new Dictionary<string, Shape>(StringComparer.Ordinal);
            if (schema.TryGetProperty("properties", out var props))
            {
                foreach (var property in props.EnumerateObject())
                {
                    properties[property.Name] = ShapeOf(property.Value, schemas, depth + 1);
                }
            }

            return new Shape(ValueKind.Record, Properties: properties);
        }

        return schema.TryGetProperty("format", out var format) && format.GetString() is "date" or "date-time"
            ? new Shape(ValueKind.Date)
            : new Shape(ValueKind.Text);
    }

    /// <summary>A named schema with nothing in it: a value the server reads from a string with a pattern of its own (NodaTime's dates and instants).</summary>
    private static bool IsEmpty(JsonElement schema) => schema.ValueKind == JsonValueKind.Object && !schema.EnumerateObject().Any();
}
