using System.Text.RegularExpressions;

namespace OptOut.UnitTests.Architecture;

/// <summary>The README and docs name files a reader will open; a file moved without its mention sends them nowhere.</summary>
public partial class DocumentationTests
{
    [Fact]
    public void Every_file_the_README_and_docs_name_exists()
    {
        var root = RepositoryRoot();
        var documents = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Append(Path.Combine(root, "README.md"));

        var missing = (
            from document in documents
            from Match mention in RepositoryPath().Matches(File.ReadAllText(document))
            let path = mention.Groups["path"].Value.TrimEnd('.')
            where !File.Exists(Path.Combine(root, path)) && !Directory.Exists(Path.Combine(root, path)) && !File.Exists(Path.Combine(root, path + ".cs"))
            select $"{Path.GetFileName(document)}: {path}").Distinct().ToList();

        Assert.True(missing.Count == 0, "Named but not there: " + string.Join(", ", missing));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OptOut.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("OptOut.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"`(?<path>(?:src|contracts|tests|infra|benchmarks|docs)/[A-Za-z0-9_./-]+)`")]
    private static partial Regex RepositoryPath();
}
