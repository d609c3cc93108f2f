-- wrk: POST a ui_patch with a unique id per request (thread number + counter).
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end

local counter = 0
request = function()
    counter = counter + 1
    local id = string.format("bench-%d-%d", tid, counter)
    local body = '{"id": "' .. id .. '", "role": "ui_patch", "target_file": "src/App.tsx", "patch": '
        .. '{"pattern": "const last = \\"[^\\"]*\\";", "replacement": "const last = \\"' .. id .. '\\";"}}'
    return wrk.format("POST", wrk.path, { ["Content-Type"] = "application/json" }, body)
end
