using System.Text;

namespace LiveRelay.LoadTest.Reporting;

/// <summary>A plain-text table: the first column left-aligned, the others right-aligned.</summary>
internal sealed class TextTable
{
    private readonly List<string[]> _rows = [];
    private readonly string[] _header;

    public TextTable(params string[] header)
    {
        _header = header;
    }

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        var columns = _header.Length;
        var widths = new int[columns];
        foreach (var row in _rows.Prepend(_header))
        {
            for (var c = 0; c < columns && c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var text = new StringBuilder();
        Append(text, _header, widths);
        text.Append(string.Join("-+-", widths.Select(w => new string('-', w)))).AppendLine();
        foreach (var row in _rows)
        {
            Append(text, row, widths);
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string[] row, int[] widths)
    {
        for (var c = 0; c < widths.Length; c++)
        {
            var cell = c < row.Length ? row[c] : "";
            text.Append(c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            if (c < widths.Length - 1)
            {
                text.Append(" | ");
            }
        }

        text.AppendLine();
    }
}
