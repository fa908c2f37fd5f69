dofile(os.getenv("OPTOUT_WRK_DIR") .. "/nhs.lua")

request = function()
  return wrk.format("GET", "/v1/opt-outs/" .. nhs(), { ["Authorization"] = "Bearer " .. token })
end
