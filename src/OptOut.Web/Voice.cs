namespace OptOut.Web;

/// <summary>
/// Whom a page speaks of, in one place: "you" and "your" to a patient about their own record, "they" and "their" to a
/// proxy about the record they act for. Every page of a journey, and every catalogue name it shows, takes its words from
/// here, so a parent is never asked about "your GP" when the GP is their child's.
/// </summary>
public sealed record Voice(bool ForSomeoneElse)
{
    public static readonly Voice ToPatient = new(false);

    public static readonly Voice AboutPatient = new(true);

    public static Voice Of(Person person) => person.IsProxy ? AboutPatient : ToPatient;

    /// <summary>"your" or "their".</summary>
    public string Your => ForSomeoneElse ? "their" : "your";

    /// <summary>"Your" or "Their", to begin a sentence.</summary>
    public string YourAtStart => ForSomeoneElse ? "Their" : "Your";

    /// <summary>"my" or "their", in an answer the reader gives: "Yes, I allow their confidential patient information...".</summary>
    public string My => ForSomeoneElse ? "their" : "my";

    /// <summary>"you" or "them", as the object of a sentence.</summary>
    public string You => ForSomeoneElse ? "them" : "you";

    /// <summary>"you have" or "they have".</summary>
    public string YouHave => ForSomeoneElse ? "they have" : "you have";
}
