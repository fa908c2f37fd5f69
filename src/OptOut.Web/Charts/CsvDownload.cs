using CsvHelper;
using Microsoft.AspNetCore.Mvc;

namespace OptOut.Web.Charts;

/// <summary>A table of figures as a CSV download: a heading row, then one row per line of the table on the page.</summary>
public static class CsvDownload
{
    public static FileContentResult Of(string fileName, IReadOnlyList<string> headings, IEnumerable<IEnumerable<object?>> rows)
    {
        using var file = new MemoryStream();
        using (var csv = CsvWriter.Create(file, new CsvWriterOptions(), leaveOpen: true))
        {
            csv.WriteHeader([.. headings]);
            foreach (var row in rows)
            {
                foreach (var cell in row)
                {
                    csv.WriteField(cell);
                }

                csv.EndRecord();
            }
        }

        return new FileContentResult(file.ToArray(), "text/csv; charset=utf-8") { FileDownloadName = fileName };
    }
}
