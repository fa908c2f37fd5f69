namespace OptOut.Identity;

/// <summary>One person a developer or a test can sign in as, with the claims NHS login (or CIS2, for staff) would give.</summary>
public sealed record TestIdentity(string Id, string Name, string Description, string Role, string? NhsNumber, string? BirthDate, string ProofingLevel);

/// <summary>
/// The test identities: patients of several ages and proofing levels, a parent with authority for a child, a
/// holder of lasting power of attorney, and staff (contact centre, data protection officer). Proxies sign in as themselves; staff authorise them for a patient in OptOut.
/// Their NHS numbers are valid test-style numbers that no real person holds.
/// </summary>
public static class TestIdentities
{
    public static readonly IReadOnlyList<TestIdentity> All =
    [
        new("adult-patient", "Alex Adult", "Patient, 46, identity checked to P9", "patient", "9434765919", "1980-01-01", "P9"),
        new("second-adult-patient", "Sam Second", "Patient, 61, identity checked to P9", "patient", "9876543210", "1965-03-14", "P9"),
        new("teenage-patient", "Tia Teenager", "Patient, 15, identity checked to P9", "patient", "4010232137", DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-15).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "P9"),
        new("child-patient", "Charlie Child", "Patient, 9: too young to choose for themselves", "patient", "4857773457", DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "P9"),
        new("basic-patient", "Bea Basic", "Patient, 52, identity checked to P5 only: may look, not change", "patient", "9000000009", "1974-06-30", "P5"),
        new("keyboard-patient", "Kai Keys", "Patient, 38, identity checked to P9, who uses the keyboard only", "patient", "4857773465", "1988-02-20", "P9"),
        new("parent", "Pat Parent", "Parent of Charlie Child (authority recorded by staff)", "proxy", null, null, "P9"),
        new("attorney", "Lee Attorney", "Holder of a lasting power of attorney (authority recorded by staff)", "proxy", null, null, "P9"),
        // Staff, as NHS CIS2 would sign them in: OptOut's roles come from their claims.
        new("contact-centre", "Casey Contact", "Staff: contact centre, records choices made by phone or on paper", "admin", null, null, "P9"),
        new("dpo", "Dana Protection", "Staff: data protection officer", "dpo", null, null, "P9"),
    ];

    public static TestIdentity? Find(string? id) => All.FirstOrDefault(i => i.Id == id);
}
