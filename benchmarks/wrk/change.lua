dofile(os.getenv("OPTOUT_WRK_DIR") .. "/nhs.lua")

request = function()
  return wrk.format("PUT", "/v1/patients/" .. nhs() .. "/national-data-opt-out",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
    '{"optedOut":true,"channel":"call-centre","patientBirthDate":"1980-06-15"}')
end

-- Count non-2xx answers so a run that failed cannot pass for a fast one.
errors = 0
response = function(status, headers, body)
  if status >= 300 then errors = errors + 1 end
end
