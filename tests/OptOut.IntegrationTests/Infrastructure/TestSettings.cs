using System.Security.Cryptography;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>
/// The settings every service under test runs with, in-process or as its own process: short retry and
/// polling intervals so faults heal within a test's patience, and keys of its own.
/// </summary>
public sealed class TestSettings
{
    public string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <summary>One audit signing key for every instance, as production configures it: checkpoints verify across restarts.</summary>
    public string AuditSigningKeyPem { get; } = NewAuditKey();

    /// <summary>The transparency log's Ed25519 key, likewise one for every instance.</summary>
    public string LogSigningKeyPem { get; } = NewLogKey();

    public IReadOnlyDictionary<string, string> For(string connectionString, Uri rabbitMq) => new Dictionary<string, string>(
        TestServers.RabbitMqNodes.Select((node, i) => KeyValuePair.Create($"RabbitMq:Nodes:{i}", node)))
    {
        ["ConnectionStrings:Marten"] = connectionString,
        ["ConnectionStrings:RabbitMq"] = rabbitMq.ToString(),
        ["Auth:DevelopmentSigningKey"] = SigningKey,
        // A CIS2-style mapping, as production would configure its own codes (Security/RoleClaimMappingTests).
        ["Auth:RoleClaims:ClaimType"] = "nhsid_nrbac_roles",
        ["Auth:RoleClaims:ValueProperty"] = "role_code",
        ["Auth:RoleClaims:Roles:R9001"] = "dpo",
        ["Auth:RoleClaims:Roles:R9002"] = "admin",
        ["Audit:SigningKeyPem"] = AuditSigningKeyPem,
        ["Audit:CheckpointEvery"] = "5",
        // The smallest partitions the schema allows, so suites that write a few thousand entries cross several.
        ["Audit:EntriesPerPartition"] = "1024",
        ["Audit:Log:SigningKeyPem"] = LogSigningKeyPem,
        ["Audit:Log:CheckpointInterval"] = "00:00:00.100",
        ["Publishing:ConfirmTimeout"] = "00:00:03",
        ["Publishing:FirstRetryDelay"] = "00:00:00.100",
        ["Publishing:MaxRetryDelay"] = "00:00:01",
        ["ConsentExpiry:Interval"] = "00:00:00.500",
        ["OptOutIndex:MaxWait"] = "00:00:05",
        ["OptOutChecks:MaxBodyBytes"] = "5000000",
        ["OptOutChecks:MaxLines"] = "200000",
        // The suites send thousands of requests as one client; the limits tests set their own.
        ["RateLimiting:TokenLimit"] = "1000000",
        ["RateLimiting:TokensPerSecond"] = "1000000",
    };

    /// <summary>A client whose token has the role; a patient is an adult unless <paramref name="birthDate"/> says otherwise.</summary>
    /// People sign in at NHS login's high proofing level, P9, unless <paramref name="proofingLevel"/> says otherwise.
    public string Token(string role, string? nhsNumber = null, string? subject = null, string? odsCode = null, DateOnly? birthDate = null, string proofingLevel = "P9")
    {
        // Distinct subjects per record, as real ones are: idempotency keys are scoped by subject.
        var claims = new Dictionary<string, object> { ["role"] = role, ["sub"] = subject ?? (nhsNumber is null ? $"test-{role}" : $"test-{role}-{nhsNumber}") };
        if (role is "patient" or "proxy")
        {
            claims["identity_proofing_level"] = proofingLevel;
        }

        if (nhsNumber is not null)
        {
            claims["nhs_number"] = nhsNumber;
            claims["birthdate"] = (birthDate ?? new DateOnly(1980, 1, 1)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (odsCode is not null)
        {
            claims["ods_code"] = odsCode;
        }

        return OptOut.Cli.Tokens.TokenCommand.Mint(SigningKey, claims, TimeSpan.FromMinutes(10));
    }

    private static string NewLogKey()
    {
        using var key = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519,
            new NSec.Cryptography.KeyCreationParameters { ExportPolicy = NSec.Cryptography.KeyExportPolicies.AllowPlaintextExport });
        return System.Text.Encoding.ASCII.GetString(key.Export(NSec.Cryptography.KeyBlobFormat.PkixPrivateKeyText));
    }

    private static string NewAuditKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportECPrivateKeyPem();
    }
}
