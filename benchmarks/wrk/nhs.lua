-- Random valid NHS numbers in the English ranges, for wrk; the token comes from OPTOUT_TOKEN.
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
token = os.getenv("OPTOUT_TOKEN")

function nhs()
  while true do
    local b = math.random(0, 299999999)
    if b < 100000000 then b = b + 400000000 else b = b + 500000000 end
    local s = string.format("%09d", b)
    local sum = 0
    for i = 1, 9 do sum = sum + tonumber(s:sub(i, i)) * (11 - i) end
    local c = 11 - (sum % 11)
    if c == 11 then c = 0 end
    if c ~= 10 then return s .. c end
  end
end
