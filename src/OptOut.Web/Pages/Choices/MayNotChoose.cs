namespace OptOut.Web.Pages.Choices;

/// <summary>
/// Why the signed-in person may not answer a question about a record, found out from the API before the question is
/// shown, not after it is answered: a sign-in checked only to P5, a patient under 13, a proxy whose authority has ended.
/// The question pages answer 403 with these words; the API refuses the change itself whatever a page does.
/// </summary>
public sealed record MayNotChoose(string Heading, string Reason, int Status = StatusCodes.Status403Forbidden)
{
    public static async Task<(Preferences? Record, MayNotChoose? Refusal)> AskAsync(OptOutApi api, Person person, string? actingFor, CancellationToken ct)
    {
        if (person.RecordFor(actingFor) is not { } record)
        {
            return (null, person.IsProxy
                ? new("Choose whose choices to change", "You act for someone else. Choose them from the people you can act for first.", StatusCodes.Status404NotFound)
                : new("You cannot make this choice", "You signed in without an NHS number, so there are no choices of your own to make."));
        }

        if (!person.MayChange)
        {
            return (null, new("You need to prove who you are to change this choice", "To change your choice online you need to prove who you are with photo ID in NHS login. You can also call 0300 303 5678."));
        }

        var read = await api.ReadPreferencesAsync(record, ct);
        return read switch
        {
            { Value: { } preferences } => (preferences, null),
            { Status: StatusCodes.Status403Forbidden } when person.IsProxy => (null, new("You cannot make this choice for this person now", $"{read.Problem} {Words.AuthorityMayHaveEnded}")),
            { Status: StatusCodes.Status403Forbidden } => (null, new("You cannot make this choice yourself yet", Words.UnderThirteen)),
            _ => (null, new("Sorry, there is a problem with the service", "Try again later. Your choices have not been lost.", read.Status)),
        };
    }
}
