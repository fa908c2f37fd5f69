namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>The checkout the tests run from, for files they check against (schemas, tools).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "OptOut.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("OptOut.sln not found above " + AppContext.BaseDirectory);
    }
}
