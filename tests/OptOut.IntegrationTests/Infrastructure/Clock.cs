namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>
/// The service records changes by the machine's clock, which the tests share. A test that needs two changes at two
/// different instants, or an instant between them, waits until the clock has passed the earlier one: an explicit
/// condition, not a sleep guessed to be long enough.
/// </summary>
public static class Clock
{
    /// <summary>An instant read after <paramref name="instant"/> had passed; waits for it if need be.</summary>
    public static async Task<DateTimeOffset> PastAsync(DateTimeOffset instant)
    {
        while (true)
        {
            var now = DateTimeOffset.UtcNow;
            if (now > instant)
            {
                return now;
            }

            await Task.Delay(1);
        }
    }
}
