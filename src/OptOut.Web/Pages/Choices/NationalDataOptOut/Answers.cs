namespace OptOut.Web.Pages.Choices.NationalDataOptOut;

/// <summary>The two answers to the national data opt-out question, in the NHS's own wording.</summary>
public static class Answers
{
    public const string Allow = "allow";
    public const string OptOut = "opt-out";

    public static bool IsValid(string? answer) => answer is Allow or OptOut;

    public static string Describe(string answer, Voice voice) => answer == OptOut
        ? $"No, I do not allow {voice.My} confidential patient information to be used for research and planning"
        : $"Yes, I allow {voice.My} confidential patient information to be used for research and planning";

    /// <summary>The question, asked of the reader about the record the journey is for.</summary>
    public static string Question(Voice voice) => $"Can {voice.Your} confidential patient information be used for research and planning?";
}
