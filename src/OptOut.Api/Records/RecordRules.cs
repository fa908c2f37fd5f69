namespace OptOut.Records;

/// <summary>The fixed numbers the rules rest on, each in one place; validators, deciders and pages take them from here.</summary>
public static class RecordRules
{
    /// <summary>
    /// The national data opt-out began on 25 May 2018, in the UK: no choice takes effect before that day's midnight in
    /// UK time (BST, an hour ahead of UTC), where the staff pages put a form signed that day.
    /// </summary>
    public static readonly DateTimeOffset ServiceStart = Contracts.UkCalendar.StartOf(Contracts.RecordingLimits.ServiceStart);

    /// <summary>No one alive is older: a date of birth before this many years ago is a mistyped year.</summary>
    public const int OldestAge = 150;

    /// <summary>A child chooses for themselves from their 13th birthday; until then a person with parental responsibility decides.</summary>
    public const int AgeOfSelfDecision = 13;

    /// <summary>The day a child born on <paramref name="born"/> begins to choose for themselves, as the instant it starts in the UK.</summary>
    public static DateTimeOffset SelfDecisionFrom(DateOnly born) => Contracts.UkCalendar.StartOf(born.AddYears(AgeOfSelfDecision));

    /// <summary>Why a guardian may not decide for a child born on <paramref name="born"/> at <paramref name="at"/>, or null if they may.</summary>
    public static string? GuardianRefusal(DateOnly born, DateTimeOffset at) => SelfDecisionFrom(born) <= at
        ? "The patient is 13 or older: parental responsibility no longer lets a guardian decide for them."
        : null;

    /// <summary>The age from which a person can make a lasting power of attorney (Mental Capacity Act 2005, s 9(2)(c)).</summary>
    public const int AgeOfAttorneyDonor = 18;

    /// <summary>
    /// Why a holder of a lasting power of attorney may not act for a patient born on <paramref name="born"/> at
    /// <paramref name="at"/>, or null if they may: only an adult can make one, so none can exist for a patient under 18.
    /// A court-appointed deputy has no such rule here: the Court of Protection can appoint one from 16, and for a
    /// younger child's property.
    /// </summary>
    public static string? AttorneyRefusal(DateOnly born, DateTimeOffset at) => Contracts.UkCalendar.StartOf(born.AddYears(AgeOfAttorneyDonor)) > at
        ? "The patient is under 18: only an adult can make a lasting power of attorney, so no attorney can act for them."
        : null;

    /// <summary>Why a patient born on <paramref name="born"/> may not decide for themselves at <paramref name="at"/>, or null if they may.</summary>
    public static string? SelfDecisionRefusal(DateOnly born, DateTimeOffset at) => SelfDecisionFrom(born) > at
        ? "The patient was under 13 when the choice was made: a person with parental responsibility decides for them."
        : null;
}
