using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Npgsql;
using OptOut.IntegrationTests.Infrastructure;
using Task = System.Threading.Tasks.Task;

namespace OptOut.IntegrationTests.Audit;

[Collection(OptOutServiceGroup.Name)]
public class AuditTrailTests(OptOutService service)
{
    [Theory]
    [InlineData("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "from is later than to")]
    [InlineData("kind=everything", "kind is change or access")]
    [InlineData("nhsNumber=123", "nhsNumber: An NHS number is 10 digits")]
    [InlineData("outcome=999", "outcome is an HTTP status")]
    [InlineData("role=Patient", "role is one of patient, proxy, pipeline, practice, dpo, admin, system.")]
    public async Task A_search_or_export_with_a_filter_that_cannot_match_as_meant_is_refused(string query, string mentions)
    {
        var dpo = service.As("dpo");

        await NationalDataOptOut.BadInputTests.AssertProblemAsync(await dpo.GetAsync($"/v1/audit/entries?{query}"), HttpStatusCode.BadRequest, mentions);
        using var export = new HttpRequestMessage(HttpMethod.Get, $"/v1/audit?{query}");
        export.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        await NationalDataOptOut.BadInputTests.AssertProblemAsync(await dpo.SendAsync(export), HttpStatusCode.BadRequest, mentions);
    }

    [Theory]
    [InlineData("limit=0", "limit is 1 to 200; it was 0.")]
    [InlineData("before=9&limit=500", "limit is 1 to 200; it was 500.")]
    [InlineData("before=0&limit=5", "before is an entry sequence from an earlier page, 1 or more; it was 0.")]
    public async Task A_page_outside_its_range_is_refused_naming_the_value(string query, string mentions)
    {
        await NationalDataOptOut.BadInputTests.AssertProblemAsync(await service.As("dpo").GetAsync($"/v1/audit/entries?{query}"), HttpStatusCode.BadRequest, mentions);
    }

    [Fact]
    public async Task Every_read_is_recorded_durably_before_its_response_arrives()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("pipeline", subject: "extract-7").GetAsync($"/v1/opt-outs/{nhs}");

        var entry = await EntryAsync(response);
        Assert.Equal(("access", "GET /v1/opt-outs/{nhsNumber}", "extract-7", "pipeline", nhs, 200),
            (entry.Kind, entry.Action, entry.Actor, entry.Role, entry.NhsNumber, entry.Outcome));
    }

    [Fact]
    public async Task Refused_attempts_are_recorded_with_their_outcome()
    {
        var nhs = TestPatients.NewNhsNumber();

        var anonymous = await service.WithToken(null).GetAsync($"/v1/patients/{nhs}/preferences");
        var forbidden = await service.As("patient", TestPatients.NewNhsNumber(), subject: "nosy").GetAsync($"/v1/patients/{nhs}/preferences");

        Assert.Equal(("anonymous", 401), ((await EntryAsync(anonymous)).Actor, (await EntryAsync(anonymous)).Outcome));
        Assert.Equal(("nosy", 403, nhs), ((await EntryAsync(forbidden)).Actor, (await EntryAsync(forbidden)).Outcome, (await EntryAsync(forbidden)).NhsNumber));
    }

    [Fact]
    public async Task A_change_and_a_bulk_check_are_recorded_with_the_event_sequence_and_the_lists_hash_not_the_list()
    {
        var nhs = TestPatients.NewNhsNumber();
        var change = await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        var sequence = change.Headers.GetValues("OptOut-Sequence").Single();
        var check = await service.As("pipeline").PostAsync($"/v1/opt-out-checks?purpose=research&dataSource=gp&minSequence={sequence}",
            new StringContent($"{nhs}\n9434765919\n", System.Text.Encoding.UTF8, "text/plain"));

        var changed = await EntryAsync(change);
        var checkedList = await EntryAsync(check);

        Assert.Equal("change", changed.Kind);
        Assert.Equal(change.Headers.GetValues("OptOut-Sequence").Single(), JsonDocument.Parse(changed.Details).RootElement.GetProperty("eventSequence").GetString());
        var details = JsonDocument.Parse(checkedList.Details).RootElement;
        Assert.Equal(2, details.GetProperty("received").GetInt64());
        Assert.Equal(1, details.GetProperty("removed").GetInt64());
        Assert.Equal(64, details.GetProperty("listSha256").GetString()!.Length);
        Assert.DoesNotContain(nhs, checkedList.Details, StringComparison.Ordinal);
        Assert.Equal("research", checkedList.Purpose);
    }

    [Theory]
    [InlineData("text/csv")]
    [InlineData("application/x-ndjson")]
    [InlineData("application/fhir+json")]
    public async Task A_DPO_exports_a_patients_entries_in_each_format_with_the_chain_head(string format)
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        var dpo = service.As("dpo");
        dpo.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(format));

        var export = await dpo.GetAsync($"/v1/audit?nhsNumber={nhs}");
        var body = await export.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Matches("^[0-9]+:[0-9a-f]{64}$", export.Headers.GetValues("OptOut-Audit-Chain-Head").Single());
        switch (format)
        {
            case "text/csv":
                var rows = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                // One vocabulary: the CSV columns are the NDJSON (and JSON) field names, in the same order.
                Assert.Equal("sequence,recordedAt,kind,action,actor,actorRole,nhsNumber,purpose,outcome,requestId,details,previousHash,hash", rows[0].TrimEnd('\r'));
                Assert.Equal(2, rows.Length - 1);
                break;
            case "application/x-ndjson":
                var entries = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
                Assert.Equal(["change", "access"], entries.Select(e => e.GetProperty("kind").GetString()));
                Assert.Equal(["sequence", "recordedAt", "kind", "action", "actor", "actorRole", "nhsNumber", "purpose", "outcome", "requestId", "details", "previousHash", "hash"],
                    entries[0].EnumerateObject().Select(p => p.Name));
                break;
            default:
                var bundle = JsonSerializer.Deserialize<Bundle>(body, new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector))!;
                var events = bundle.Entry.Select(e => Assert.IsType<AuditEvent>(e.Resource)).ToList();
                Assert.Equal(2, events.Count);
                Assert.Equal(AuditEvent.AuditEventAction.U, events[0].Action);
                Assert.Contains(events[1].Entity, x => x.What?.Identifier?.Value == nhs);
                break;
        }
    }

    [Fact]
    public async Task A_search_by_stated_purpose_finds_the_entries_and_records_the_DPOs_own_purpose_not_the_one_searched_for()
    {
        var nhs = TestPatients.NewNhsNumber();
        var statedPurpose = "research-" + Guid.NewGuid().ToString("N")[..8];
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}?purpose={statedPurpose}");
        var search = $"/v1/audit/entries?nhsNumber={nhs}&statedPurpose={statedPurpose}";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement page;
        do
        {
            page = await service.As("dpo").GetAsync(search + "&purpose=dpo-review").JsonAsync();
        }
        while (page.GetProperty("entries").GetArrayLength() == 0 && DateTime.UtcNow < deadline && await DelayAsync());

        var found = Assert.Single(page.GetProperty("entries").EnumerateArray());
        Assert.Equal(statedPurpose, found.GetProperty("purpose").GetString());
        // The DPO's own read is recorded with the purpose the DPO stated, and never with the one searched for.
        var dpoReads = await service.As("dpo").GetAsync("/v1/audit/entries?statedPurpose=dpo-review&role=dpo&limit=200").JsonAsync();
        Assert.NotEmpty(dpoReads.GetProperty("entries").EnumerateArray());
        Assert.DoesNotContain(dpoReads.GetProperty("entries").EnumerateArray(), e => e.GetProperty("purpose").GetString() == statedPurpose);
    }

    private static async Task<bool> DelayAsync()
    {
        await Task.Delay(100);
        return true;
    }

    [Fact]
    public async Task A_search_by_period_finds_exactly_the_entries_recorded_in_it()
    {
        var nhs = TestPatients.NewNhsNumber();
        // Chained with other entries of its batch, which share its time: the bounds must still take in the whole batch.
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}")));
        await EntryAsync(await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }));
        var dpo = service.As("dpo");
        string Url(DateTimeOffset from, DateTimeOffset to) =>
            $"/v1/audit/entries?nhsNumber={nhs}&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";
        var now = DateTimeOffset.UtcNow;

        var around = await dpo.GetAsync(Url(now.AddMinutes(-10), now.AddMinutes(10))).JsonAsync();
        var before = await dpo.GetAsync(Url(now.AddDays(-2), now.AddDays(-1))).JsonAsync();
        var after = await dpo.GetAsync(Url(now.AddDays(1), now.AddDays(2))).JsonAsync();

        Assert.Single(around.GetProperty("entries").EnumerateArray(), e => e.GetProperty("kind").GetString() == "change");
        Assert.Empty(before.GetProperty("entries").EnumerateArray());
        Assert.Empty(after.GetProperty("entries").EnumerateArray());

        // The same period written in UK summer time (+01:00) is the same instants: one reader of instants for every query.
        var inBst = await dpo.GetAsync(Url(now.AddMinutes(-10).ToOffset(TimeSpan.FromHours(1)), now.AddMinutes(10).ToOffset(TimeSpan.FromHours(1)))).JsonAsync();
        Assert.Single(inBst.GetProperty("entries").EnumerateArray(), e => e.GetProperty("kind").GetString() == "change");
    }

    [Fact]
    public async Task A_change_commits_with_its_audit_record_so_it_is_acknowledged_even_while_the_chain_is_held_up()
    {
        var nhs = TestPatients.NewNhsNumber();
        await using var holder = new NpgsqlConnection(service.ConnectionString);
        await holder.OpenAsync();
        HttpResponseMessage change;
        await using (var hold = await holder.BeginTransactionAsync())
        {
            // Nothing can be appended to the chain while this lock is held.
            await using (var lockChain = new NpgsqlCommand("lock table optout.audit_entries in exclusive mode", holder, hold))
            {
                await lockChain.ExecuteNonQueryAsync();
            }

            using var patient = service.As("patient", nhs);
            patient.Timeout = TimeSpan.FromSeconds(20);
            change = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
            Assert.Equal(HttpStatusCode.OK, change.StatusCode);

            await using var pending = new NpgsqlCommand("select count(*) from optout.audit_pending where record->>'RequestId' = @id", holder, hold);
            pending.Parameters.AddWithValue("id", change.Headers.GetValues("X-Request-Id").Single());
            Assert.Equal(1L, await pending.ExecuteScalarAsync());
            await hold.RollbackAsync();
        }

        var entry = await EntryAsync(change);
        Assert.Equal(change.Headers.GetValues("OptOut-Sequence").Single(), JsonDocument.Parse(entry.Details).RootElement.GetProperty("eventSequence").GetString());
    }

    [Fact]
    public async Task A_pending_record_that_cannot_be_read_is_chained_as_what_it_held_and_holds_up_no_one()
    {
        // The service's role writes the pending table (every change does), and so may a superuser: rows that are not records.
        var marker = Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(service.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("insert into optout.audit_pending (record, event_ids) values (@a::jsonb, '{}'), (@b::jsonb, '{}')", connection);
            insert.Parameters.AddWithValue("a", $$"""{"Kind": null, "Marker": "{{marker}}"}""");
            insert.Parameters.AddWithValue("b", $$"""{"Kind": "access", "Action": "x", "Actor": "a", "ActorRole": "r", "Outcome": 200, "RequestId": "{{marker}}", "Details": "not json"}""");
            await insert.ExecuteNonQueryAsync();
        }

        var answer = await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        await EntryAsync(answer);
        await using (var connection = new NpgsqlConnection(service.ConnectionString))
        {
            await connection.OpenAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                await using var chained = new NpgsqlCommand(
                    "select count(*) from optout.audit_entries where action = 'unreadable pending audit record' and actor = 'optout' and details like @marker", connection);
                chained.Parameters.AddWithValue("marker", $"%{marker}%");
                if ((long)(await chained.ExecuteScalarAsync())! == 2)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, "the unreadable pending records were never chained");
                await Task.Delay(100);
            }
        }

        var verification = await service.As("dpo").GetFromJsonAsync<JsonElement>("/v1/audit/verification");
        Assert.True(verification.GetProperty("intact").GetBoolean(), verification.ToString());
    }

    [Fact]
    public async Task Reads_audited_while_another_instance_appends_to_the_chain_leave_one_unbroken_chain_with_every_answer_in_it()
    {
        // The audit log hashes each batch onto the one still in flight; whenever another writer got in between, that
        // batch must store nothing and be chained again, never fork or break the chain.
        using var stop = new CancellationTokenSource();
        var otherInstance = Task.Run(async () =>
        {
            var appended = 0;
            while (!stop.IsCancellationRequested)
            {
                await AppendAsAnotherInstanceAsync();
                appended++;
            }

            return appended;
        });
        var pipeline = service.As("pipeline", subject: "pipelined-reader");
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            var mine = new List<HttpResponseMessage>();
            for (var i = 0; i < 25; i++)
            {
                mine.Add(await pipeline.GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}"));
            }

            return mine;
        }));
        await stop.CancelAsync();
        Assert.True(await otherInstance > 0);

        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var recorded = new NpgsqlCommand("select count(distinct request_id) from optout.audit_entries where request_id = any(@ids)", connection);
        recorded.Parameters.AddWithValue("ids", answers.SelectMany(a => a).Select(r => r.Headers.GetValues("X-Request-Id").Single()).ToArray());
        Assert.Equal(400L, await recorded.ExecuteScalarAsync());
        var verification = await service.As("dpo").GetFromJsonAsync<JsonElement>("/v1/audit/verification");
        Assert.True(verification.GetProperty("intact").GetBoolean(), verification.ToString());
    }

    /// <summary>One entry chained as another instance of the service chains it: under the chain lock, onto the head it reads.</summary>
    private async Task AppendAsAnotherInstanceAsync()
    {
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockChain = new NpgsqlCommand("select pg_advisory_xact_lock(@chain)", connection, transaction))
        {
            lockChain.Parameters.AddWithValue("chain", OptOut.Audit.AuditLog.ChainLock);
            await lockChain.ExecuteNonQueryAsync();
        }

        long head;
        string previous;
        await using (var read = new NpgsqlCommand("select seq, hash from optout.audit_entries order by seq desc limit 1", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (head, previous) = (reader.GetInt64(0), reader.GetString(1));
        }

        var at = OptOut.Audit.AuditEntry.ToStoredPrecision(DateTimeOffset.UtcNow);
        const string Details = "{}";
        var hash = OptOut.Contracts.Audit.AuditChain.HashOf(head + 1, at, "access", "another instance", "test", "pipeline", null, null, 200, "other-instance", Details, previous);
        await using (var insert = new NpgsqlCommand("""
            insert into optout.audit_entries (seq, recorded_at, kind, action, actor, actor_role, outcome, request_id, details, prev_hash, hash)
            values (@seq, @at, 'access', 'another instance', 'test', 'pipeline', 200, 'other-instance', @details, @previous, @hash)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("seq", head + 1);
            insert.Parameters.AddWithValue("at", at);
            insert.Parameters.AddWithValue("details", Details);
            insert.Parameters.AddWithValue("previous", previous);
            insert.Parameters.AddWithValue("hash", hash);
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    [Fact]
    public async Task An_NDJSON_export_verifies_offline_with_the_command_line_tool()
    {
        // Entries enough for two signed checkpoints (one every five here), so one can be taken out of the list.
        for (var i = 0; i < 100 && (await service.As("dpo").GetFromJsonAsync<JsonElement>("/v1/audit/checkpoints")).GetArrayLength() < 2; i++)
        {
            await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        }

        var dpo = service.As("dpo");
        dpo.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        var export = await dpo.GetAsync("/v1/audit");
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, await export.Content.ReadAsStringAsync());
        var checkpoints = Path.GetTempFileName();
        await File.WriteAllTextAsync(checkpoints, await service.As("dpo").GetStringAsync("/v1/audit/checkpoints"));
        var key = Path.GetTempFileName();
        await File.WriteAllTextAsync(key, await service.As("dpo").GetStringAsync("/v1/audit/public-key"));

        var run = await OptOutCli.RunAsync(service.SigningKey,
            "audit-verify", file, "--head", export.Headers.GetValues("OptOut-Audit-Chain-Head").Single(), "--checkpoints", checkpoints, "--public-key", key);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Matches("intact.*; [1-9][0-9]* signed checkpoints verified", run.Stdout);

        // The same breaks the service reports: a checkpoint deleted from the list, or one whose root is not a hash.
        var list = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(checkpoints))!.AsArray();
        Assert.True(list.Count >= 2, "two checkpoints");
        foreach (var tamper in new Action<System.Text.Json.Nodes.JsonArray>[] { l => l.RemoveAt(0), l => l[0]!["merkleRoot"] = "zz" })
        {
            var copy = System.Text.Json.Nodes.JsonNode.Parse(list.ToJsonString())!.AsArray();
            tamper(copy);
            await File.WriteAllTextAsync(checkpoints, copy.ToJsonString());
            var broken = await OptOutCli.RunAsync(service.SigningKey, "audit-verify", file, "--checkpoints", checkpoints, "--public-key", key);
            Assert.True(broken.ExitCode == 1, broken.Stdout + broken.Stderr);
            Assert.Contains("checkpoints break", broken.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_CSV_export_never_hands_a_spreadsheet_a_formula_to_run()
    {
        const string hostile = "=HYPERLINK(\"http://evil\",\"x\")";
        await service.As("pipeline", subject: hostile).GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        var dpo = service.As("dpo");
        dpo.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var csv = await dpo.GetStringAsync($"/v1/audit?actor={Uri.EscapeDataString(hostile)}");

        var row = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.Contains("\"'=HYPERLINK(", row, StringComparison.Ordinal);
        Assert.DoesNotContain(",=HYPERLINK", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_export_is_itself_audited()
    {
        var export = await service.As("dpo", subject: "dpo-jane").GetAsync("/v1/audit?kind=change");

        Assert.Equal(("GET /v1/audit", "dpo-jane"), ((await EntryAsync(export)).Action, (await EntryAsync(export)).Actor));
    }

    [Theory]
    [InlineData("pipeline")]
    [InlineData("admin")]
    [InlineData("patient")]
    [InlineData("practice")]
    public async Task Only_the_DPO_reads_the_audit_trail(string role)
    {
        var nhs = TestPatients.NewNhsNumber();
        var client = service.As(role, nhs, odsCode: "A81001");

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/v1/audit/verification")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/v1/patients/{nhs}/audit")).StatusCode);
    }

    [Fact]
    public async Task The_service_role_cannot_update_or_delete_audit_entries()
    {
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();

        foreach (var sql in new[] { "update optout.audit_entries set actor = 'someone else'", "delete from optout.audit_entries", "truncate optout.audit_entries" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_subject_access_request_returns_the_patients_changes_and_accesses()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        await service.As("pipeline", subject: "extract-9").GetAsync($"/v1/opt-outs/{nhs}");

        var sar = await service.As("dpo").GetAsync($"/v1/patients/{nhs}/audit").JsonAsync();

        Assert.Single(sar.GetProperty("changes").EnumerateArray());
        Assert.Contains(sar.GetProperty("entries").EnumerateArray(), e => e.GetProperty("actor").GetString() == "extract-9");
    }

    private sealed record Entry(string Kind, string Action, string Actor, string Role, string? NhsNumber, string? Purpose, int Outcome, string Details);

    /// <summary>
    /// The request's entry in the chain. A read's is there before its answer; a change's entry commits with the change
    /// and joins the chain right after, so for a change this waits a little.
    /// </summary>
    private async Task<Entry> EntryAsync(HttpResponseMessage response)
    {
        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        var patience = response.RequestMessage!.Method == HttpMethod.Get ? TimeSpan.Zero : TimeSpan.FromSeconds(10);
        var deadline = DateTime.UtcNow + patience;
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select kind, action, actor, actor_role, nhs_number, purpose, outcome, details from optout.audit_entries where request_id = @id", connection);
        command.Parameters.AddWithValue("id", requestId);
        await using var reader = await ReaderWhenFoundAsync(command, deadline);
        Assert.True(reader.HasRows, $"no audit entry for request {requestId}");
        return new Entry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt32(6), reader.GetString(7));
    }

    private static async Task<NpgsqlDataReader> ReaderWhenFoundAsync(NpgsqlCommand command, DateTime deadline)
    {
        while (true)
        {
            var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync() || DateTime.UtcNow >= deadline)
            {
                return reader;
            }

            await reader.DisposeAsync();
            await Task.Delay(50);
        }
    }
}
