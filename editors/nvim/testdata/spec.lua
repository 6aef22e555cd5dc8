-- The real-editor test, run by nvim_test.go as
--   nvim --headless -u testdata/init.lua -c "luafile testdata/spec.lua"
-- in a fixture project (lib.py calls mymath.square, which divides by zero);
-- init.lua has called require("hotload").setup() already.
-- It prints one PASS/FAIL line per check and "PID n" for every Python runtime
-- the server reported to stdout (Neovim's own messages go to stderr), then
-- exits 0 (:qall!) or non-zero (:cquit).
--
-- Every wait has a generous timeout: it guards against a hang on a loaded
-- machine and says nothing about speed.

local TIMEOUT = 20000
local api = vim.api
local failed = false

local function out(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end

local function check(name, ok, detail)
  out((ok and "PASS " or "FAIL ") .. name .. ((not ok and detail) and (": " .. detail) or ""))
  if not ok then
    failed = true
  end
  return ok
end

--- Waits until cond() is true; a check that fails on timeout.
local function wait(name, cond, detail)
  local ok = vim.wait(TIMEOUT, function()
    return cond() and true or false
  end, 50)
  return check(name, ok, not ok and ("timed out after " .. TIMEOUT / 1000 .. " s" .. (detail and (": " .. detail()) or "")) or nil)
end

--- Stops the test at a check the rest depends on.
local function must(ok)
  if not ok then
    error("stopping: a check the rest depends on failed", 0)
  end
end

local function hotload_clients(bufnr)
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local out_ = {}
  for _, c in pairs(all) do
    if c.name == "hotload" and (not bufnr or vim.lsp.buf_is_attached(bufnr, c.id)) then
      table.insert(out_, c)
    end
  end
  return out_
end

--- hotload's diagnostics on file (a base name), optionally of one severity.
local function diagnostics(file, severity)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(nil, severity and { severity = severity } or nil)) do
    local name = api.nvim_buf_get_name(d.bufnr)
    if d.source == "hotload" and name:sub(-#file - 1) == "/" .. file then
      table.insert(found, d)
    end
  end
  return found
end

local function describe_diagnostics()
  local parts = {}
  for _, d in ipairs(vim.diagnostic.get()) do
    table.insert(parts, string.format("%s:%d %s %s (%s)", vim.fn.fnamemodify(api.nvim_buf_get_name(d.bufnr), ":t"), d.lnum + 1, d.severity, d.message, tostring(d.source)))
  end
  return "diagnostics: [" .. table.concat(parts, "; ") .. "]"
end

local function log_has(text)
  for _, line in ipairs(require("hotload").log_lines()) do
    if line:find(text, 1, true) then
      return true
    end
  end
  return false
end

local function describe_log()
  return "log:\n" .. table.concat(require("hotload").log_lines(), "\n")
end

--- The virtual text hotload shows on row (0-based) of bufnr, and its
--- highlight groups.
local function virtual_text(bufnr, row)
  local ns = api.nvim_create_namespace("hotload")
  local texts, groups = {}, {}
  for _, mark in ipairs(api.nvim_buf_get_extmarks(bufnr, ns, { row, 0 }, { row, -1 }, { details = true })) do
    for _, chunk in ipairs(mark[4].virt_text or {}) do
      table.insert(texts, chunk[1])
      table.insert(groups, tostring(chunk[2]))
    end
  end
  return table.concat(texts), table.concat(groups, " ")
end

--- Runs an Ex command and waits for the evaluation it starts to come back.
--- want_value nil: a statement, whose result shows as "done".
local function evaluate(name, command, want_value, want_row)
  local hotload = require("hotload")
  local before = hotload.last_result()
  vim.cmd(command)
  if not wait(name .. ": a reply", function()
    return hotload.last_result() ~= before
  end, describe_log) then
    return
  end
  local r = hotload.last_result()
  check(name .. ": value " .. tostring(want_value), r.value == want_value and r.error == nil, string.format("value %s, error %s", vim.inspect(r.value), vim.inspect(r.error)))
  local shown = virtual_text(r.bufnr, want_row)
  check(name .. ": virtual text on line " .. (want_row + 1), shown:find(want_value or "done", 1, true) ~= nil, string.format("virtual text %q", shown))
end

local function run()
  vim.o.hidden = true -- the default from Neovim 0.9 on
  must(check("plugin/hotload.lua registered :HotloadEvaluate", vim.fn.exists(":HotloadEvaluate") == 2))

  vim.cmd("edit lib.py")
  local lib = api.nvim_get_current_buf()
  must(check("lib.py has filetype python", vim.bo.filetype == "python", "filetype " .. vim.bo.filetype))
  local hotload = require("hotload")
  must(wait("the hotload client is attached to lib.py and initialized", function()
    local c = hotload_clients(lib)[1]
    return c and c.initialized
  end))
  wait("status() says the runtime is ready", function()
    return hotload.status(lib):match("^hotload: ready") ~= nil
  end, function()
    return "status " .. hotload.status(lib)
  end)

  -- Save: the traceback becomes diagnostics in both files. The save is
  -- announced (willSave, reason Manual) once, before didSave: by the plugin
  -- where Neovim does not send it (before 0.9), by Neovim where it does.
  local client = hotload_clients(lib)[1]
  local rpc_notify = client.rpc.notify
  local sent = {}
  client.rpc.notify = function(method, params)
    if method == "textDocument/willSave" or method == "textDocument/didSave" then
      local file = params.textDocument.uri:match("[^/]*$")
      table.insert(sent, method .. " " .. file .. (params.reason and (" " .. params.reason) or ""))
    end
    return rpc_notify(method, params)
  end
  vim.cmd("write")
  client.rpc.notify = rpc_notify
  local announced = table.concat(sent, ", ")
  check("the save is announced once, before didSave",
    announced == "textDocument/willSave lib.py 1, textDocument/didSave lib.py", announced)
  must(wait("an Error from hotload on mymath.py line 2", function()
    local d = diagnostics("mymath.py", vim.diagnostic.severity.ERROR)
    return #d == 1 and d[1].lnum == 1 and d[1].message:find("ZeroDivisionError", 1, true)
  end, describe_diagnostics))
  wait("an Information from hotload on lib.py line 3", function()
    local d = diagnostics("lib.py", vim.diagnostic.severity.INFO)
    return #d == 1 and d[1].lnum == 2
  end, describe_diagnostics)
  wait("the error message is shown and logged", function()
    return log_has("lib: ZeroDivisionError") and vim.fn.execute("messages"):find("ZeroDivisionError", 1, true)
  end, describe_log)
  wait("status() says the last run failed, not ready with a time", function()
    return hotload.status(lib):find("^hotload: failed ZeroDivisionError") ~= nil
  end, function()
    return "status " .. hotload.status(lib)
  end)

  -- Fix mymath.py in the editor and save it (reloads mymath), then save
  -- lib.py again: the diagnostics clear.
  vim.cmd("edit mymath.py")
  local mymath = api.nvim_get_current_buf()
  must(wait("mymath.py (opened after setup) is attached", function()
    return hotload_clients(mymath)[1] ~= nil
  end))
  check("one hotload client serves both files", #hotload_clients() == 1, #hotload_clients() .. " clients")
  api.nvim_buf_set_lines(mymath, 0, -1, false, { "def square(x):", "    return x * x" })
  vim.cmd("write")
  wait("mymath reloaded", function()
    return log_has("mymath reloaded in")
  end, describe_log)
  vim.cmd("edit lib.py")
  vim.cmd("write")
  wait("the diagnostics clear after the fix", function()
    return #diagnostics("mymath.py") == 0 and #diagnostics("lib.py") == 0
  end, describe_diagnostics)
  wait("status() says ready again after the fix", function()
    return hotload.status(lib):match("^hotload: ready") ~= nil
  end, function()
    return "status " .. hotload.status(lib)
  end)

  -- Evaluate expressions (one failing), the cursor line and two visual
  -- selections (the second after multi-byte characters, so its columns must
  -- be UTF-16 to come out right).
  api.nvim_win_set_cursor(0, { 1, 0 })
  evaluate(":HotloadEvaluate 6*7", "HotloadEvaluate 6*7", "42", 0)
  local before_error = hotload.last_result()
  vim.cmd("HotloadEvaluate 1/0")
  if wait(":HotloadEvaluate 1/0: a reply", function()
    return hotload.last_result() ~= before_error
  end, describe_log) then
    local r = hotload.last_result()
    check(":HotloadEvaluate 1/0: the traceback", r.error and r.error:find("Traceback", 1, true) and r.value == nil, vim.inspect(r))
    local shown, groups = virtual_text(lib, 0)
    check(":HotloadEvaluate 1/0: its last line as virtual text, highlighted as an error",
      shown:find("ZeroDivisionError: division by zero", 1, true) and groups == "HotloadError",
      string.format("virtual text %q in %s", shown, groups))
  end
  evaluate("settings reach the runtime", "HotloadEvaluate __import__('os').environ['HOTLOAD_NVIM_TEST']", "'from settings'", 0)
  vim.cmd("normal! 3G0fsvf)\27")
  evaluate("a visual selection", "'<,'>HotloadEvaluate", "25", 2)
  -- Without a range: the cursor line, whole, though the selection above
  -- was on it.
  evaluate("the cursor line", "HotloadEvaluate", nil, 2)
  vim.cmd("normal! 4G0flvf)\27")
  evaluate("a selection after multi-byte characters", "'<,'>HotloadEvaluate", "2", 3)
  api.nvim_buf_set_lines(lib, 4, 4, false, { "" })
  wait("an edit clears the results", function()
    return virtual_text(lib, 0) == "" and virtual_text(lib, 2) == ""
  end)

  -- setup() again (as a lazy-loading plugin manager would call it) attaches
  -- Python buffers that are open already, starts no second server and
  -- hands the running one the new settings.
  vim.cmd("noautocmd edit extra.py")
  vim.cmd("noautocmd setlocal filetype=python")
  local extra = api.nvim_get_current_buf()
  check("extra.py is not attached before setup()", hotload_clients(extra)[1] == nil)
  local options = vim.deepcopy(_G.hotload_test_options)
  options.settings.env.HOTLOAD_NVIM_TEST = "changed"
  hotload.setup(options)
  wait("setup() attaches a Python buffer that was open already", function()
    return hotload_clients(extra)[1] ~= nil
  end)
  check("still one hotload client", #hotload_clients() == 1, #hotload_clients() .. " clients")
  wait("the server takes the new settings", function()
    return log_has("settings changed; started a new runtime")
  end, describe_log)
  vim.cmd("edit lib.py")
  api.nvim_win_set_cursor(0, { 1, 0 })
  evaluate("the new settings reach the new runtime", "HotloadEvaluate __import__('os').environ['HOTLOAD_NVIM_TEST']", "'changed'", 0)

  -- The app: :HotloadApp start runs prog.py, the status says so, stop ends it.
  vim.cmd("HotloadApp start")
  wait(":HotloadApp start runs the app", function()
    local st = hotload.status_info(lib) or {}
    return st.app == "running" and log_has("app: prog started")
  end, describe_log)
  check("status() says the app runs", hotload.status(lib):find("app running", 1, true) ~= nil, hotload.status(lib))
  vim.cmd("HotloadApp stop")
  wait(":HotloadApp stop stops it", function()
    return (hotload.status_info(lib) or {}).app == "stopped"
  end, describe_log)

  -- Restart: a new runtime, which the status reports (the Go test checks
  -- that the old one is gone).
  local function restarted_pid()
    local pid
    for _, line in ipairs(hotload.log_lines()) do
      pid = line:match("runtime restarted %(pid (%d+)%)") or pid
    end
    return pid
  end
  local before = restarted_pid()
  vim.cmd("HotloadRestart")
  wait(":HotloadRestart starts a new runtime", function()
    local pid = restarted_pid()
    return pid ~= before and tostring((hotload.status_info(lib) or {}).pid) == pid
  end, describe_log)
  check("status() after the restart", hotload.status(lib):match("^hotload: ready") ~= nil, hotload.status(lib))
end

local function finish()
  local seen = {}
  for _, line in ipairs(require("hotload").log_lines()) do
    local pid = line:match("Python ready in .- %(pid (%d+)") or line:match("app started %(pid (%d+)%)")
    if pid and not seen[pid] then
      seen[pid] = true
      out("PID " .. pid)
    end
  end
  -- Stopping the client ends its server (it must exit even though Neovim
  -- keeps its stdin open); nvim_test.go then checks that the server and
  -- every runtime above are gone.
  require("hotload").stop()
  wait("the hotload client stops", function() return #hotload_clients() == 0 end)
  if failed then
    out("FAIL")
    vim.cmd("cquit")
  end
  out("OK")
  vim.cmd("qall!")
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  check("the spec ran to the end", false, tostring(err))
end
ok, err = xpcall(finish, debug.traceback)
if not ok then
  out("FAIL finishing: " .. tostring(err))
  vim.cmd("cquit")
end
