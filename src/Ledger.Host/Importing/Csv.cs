using System.Text;

namespace Ledger.Host.Importing;

/// <summary>RFC 4180 CSV: comma-separated, fields optionally in double quotes, quotes doubled inside them.</summary>
public static class Csv
{
    /// <summary>Reads every record; each record remembers the line it started on.</summary>
    public static IReadOnlyList<(int Line, IReadOnlyList<string> Fields)> Read(string text)
    {
        var records = new List<(int, IReadOnlyList<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var fieldStarted = false;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }

        if (quoted)
        {
            throw new FormatException($"Line {recordLine}: a quoted field is not closed.");
        }

        EndRecord();
        return records;

        void EndRecord()
        {
            if (fieldStarted || field.Length > 0 || fields.Count > 0)
            {
                fields.Add(field.ToString());
                records.Add((recordLine, fields.ToList()));
            }

            fields.Clear();
            field.Clear();
            fieldStarted = false;
        }
    }

    /// <summary>
    /// A field as a spreadsheet may open it safely: a value that begins with <c>=</c>, <c>+</c>, <c>-</c>,
    /// <c>@</c>, a tab or a carriage return would be evaluated as a formula, so it is prefixed with a single
    /// quote (as OWASP's guidance on CSV injection recommends); then the field is quoted when it holds a
    /// comma, a quote or a line break. Every field a CSV export writes goes through here.
    /// </summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
