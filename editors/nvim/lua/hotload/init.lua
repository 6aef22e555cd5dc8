--- hotload for Neovim: starts `hotload lsp` next to your other Python
--- servers, runs its commands and shows what it reports. See :help hotload.
---
--- Works on Neovim 0.7 and later. Newer APIs are used when they exist
--- (feature detection, not version numbers): vim.lsp.start (0.8),
--- vim.lsp.get_clients (0.10), Client:request (0.11), vim.uv (0.10).
local M = {}

local api = vim.api
local uv = vim.uv or vim.loop

---@class hotload.Config
---@field cmd string[] The server command (default `{ "hotload", "lsp" }`).
---@field settings table Server settings (`python`, `preload`, `extraPaths`, `env`), sent as initializationOptions and as the `hotload` section of workspace/configuration.
---@field root_markers string[] Files or folders that mark a project root.
---@field filetypes string[] Filetypes to attach to (default `{ "python" }`).
---@field messages "echo"|"notify"|"none" How server messages are shown.
---@field log_size integer How many server messages :HotloadLog keeps.
---@field virtual_text boolean Show evaluation results at the end of the line.
---@field on_attach? fun(client: table, bufnr: integer) Called when the server attaches to a buffer.

---@type hotload.Config
local defaults = {
  cmd = { "hotload", "lsp" },
  settings = {},
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", ".git" },
  filetypes = { "python" },
  messages = "echo",
  log_size = 1000,
  virtual_text = true,
  on_attach = nil,
}

---@type hotload.Config
local config = vim.deepcopy(defaults)

--- The client name; commands find their server by it.
local NAME = "hotload"

local ns = api.nvim_create_namespace("hotload")

---@class hotload.Status
---@field state "starting"|"ready"|"running"|"dead"
---@field module? string
---@field lastReloadMs? number
---@field lastError? string the last run's one-line failure; nil when it ran to the end
---@field pid? integer
---@field message? string
---@field app? "running"|"stopped"|"exited" the app's state, once one was started
---@field appPid? integer
---@field appMessage? string how the app exited

---@type table<integer, hotload.Status> latest hotload/status by client id
local statuses = {}

--- Whether the user was told that the server command is missing.
local warned_missing = false

---@type table<integer, true> clients asked to stop: never reused
local stopping = {}

---@type table<string, integer> client id by root dir, for Neovim without vim.lsp.start
local clients_by_root = {}

---@class hotload.Result
---@field bufnr integer
---@field row integer 0-based line the result is shown at
---@field module? string
---@field value? string repr of the value, nil for None or a statement
---@field output string
---@field error? string traceback
---@field text string what the virtual text says

---@type hotload.Result?
local last_result = nil

-- Small helpers -------------------------------------------------------------

--- JSON null arrives as nil or vim.NIL depending on the decoder options.
local function present(v)
  if v == vim.NIL then
    return nil
  end
  return v
end

--- Calls a client method the way this Neovim wants it: Client:request() from
--- 0.11 on (a method on the client's class), client.request() before.
---@param client table
---@param name string
local function call(client, name, ...)
  local mt = getmetatable(client)
  local class = mt and mt.__index
  if type(class) == "table" and type(rawget(class, name)) == "function" then
    return class[name](client, ...)
  end
  return client[name](...)
end

---@param filter { name?: string, bufnr?: integer }
---@return table[]
local function get_clients(filter)
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients()
  else
    all = vim.lsp.get_active_clients()
  end
  local out = {}
  for _, client in pairs(all) do
    if (not filter.name or client.name == filter.name)
      and (not filter.bufnr or vim.lsp.buf_is_attached(filter.bufnr, client.id))
    then
      table.insert(out, client)
    end
  end
  table.sort(out, function(a, b)
    return a.id < b.id
  end)
  return out
end

---@param client table
---@return boolean
local function is_stopped(client)
  local ok, stopped = pcall(call, client, "is_stopped")
  return ok and stopped or false
end

local function level_of(message_type)
  local levels = vim.log.levels
  return ({ levels.ERROR, levels.WARN, levels.INFO, levels.DEBUG })[message_type] or levels.INFO
end

local function notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO, { title = "hotload" })
end

--- Cuts text to at most width screen cells, ending in "…" when cut.
---@param text string
---@param width integer
---@return string
local function truncate(text, width)
  if width < 1 then
    return ""
  end
  if vim.fn.strdisplaywidth(text) <= width then
    return text
  end
  local n = math.min(vim.fn.strchars(text), width)
  local cut = vim.fn.strcharpart(text, 0, n - 1)
  while n > 1 and vim.fn.strdisplaywidth(cut) > width - 1 do
    n = n - 1
    cut = vim.fn.strcharpart(text, 0, n - 1)
  end
  return cut .. "…"
end

local function first_line(s)
  s = vim.trim(s or "")
  local nl = s:find("\n", 1, true)
  if nl then
    return s:sub(1, nl - 1) .. " …"
  end
  return s
end

local function last_line(s)
  local lines = vim.split(vim.trim(s or ""), "\n", { plain = true })
  return lines[#lines] or ""
end

--- Formats milliseconds the way the server does: "0.5 ms", "12 ms", "1.3 s".
---@param ms number
---@return string
local function format_ms(ms)
  if ms < 10 then
    return string.format("%.1f ms", ms)
  elseif ms < 1000 then
    return string.format("%.0f ms", ms)
  end
  return string.format("%.1f s", ms / 1000)
end

-- The message log -----------------------------------------------------------
-- Neovim 0.7's :LspLog shows only the client log file, where info messages
-- are dropped at the default log level, so the plugin keeps its own ring.

---@class hotload.LogEntry
---@field time integer
---@field kind string "log" or "message"
---@field type integer LSP MessageType
---@field text string

---@type hotload.LogEntry[]
local ring = {}
local ring_next = 1 -- where the next entry goes once the ring is full

---@param kind string
---@param message_type integer
---@param text string
local function record(kind, message_type, text)
  local entry = { time = os.time(), kind = kind, type = message_type, text = text }
  local size = math.max(config.log_size or 1, 1)
  if #ring < size then
    table.insert(ring, entry)
  else
    ring[ring_next] = entry
    ring_next = ring_next % size + 1
  end
end

--- The collected server messages, oldest first, one string per line.
---@return string[]
function M.log_lines()
  local names = { "Error", "Warning", "Info", "Log", "Debug" }
  local lines = {}
  local n = #ring
  for i = 0, n - 1 do
    local e = ring[(ring_next - 1 + i) % n + 1]
    local prefix = string.format("%s %-7s ", os.date("%H:%M:%S", e.time), names[e.type] or "?")
    if e.kind == "message" then
      prefix = prefix .. "» "
    end
    for j, line in ipairs(vim.split(e.text, "\n", { plain = true })) do
      table.insert(lines, (j == 1 and prefix or string.rep(" ", #prefix)) .. line)
    end
  end
  return lines
end

local LOG_NAME = "hotload://log"

--- The path of Neovim's own LSP log (vim.lsp.get_log_path is deprecated
--- from 0.12 on; vim.lsp.log.get_filename exists in every version).
local function lsp_log_path()
  local ok, log = pcall(require, "vim.lsp.log")
  if ok and type(log.get_filename) == "function" then
    return log.get_filename()
  end
  return vim.lsp.get_log_path()
end

--- Opens the collected server messages in a scratch buffer.
function M.open_log()
  local buf
  for _, b in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_get_name(b) == LOG_NAME then
      buf = b
    end
  end
  if not buf then
    buf = api.nvim_create_buf(false, true)
    api.nvim_buf_set_name(buf, LOG_NAME)
    vim.bo[buf].bufhidden = "hide"
    vim.bo[buf].swapfile = false
  end
  local lines = {
    "hotload messages (» = shown as a message); Neovim's LSP log: " .. lsp_log_path(),
    "",
  }
  vim.list_extend(lines, M.log_lines())
  vim.bo[buf].modifiable = true
  api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = "hotloadlog"
  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    vim.cmd("botright split")
    win = api.nvim_get_current_win()
    api.nvim_win_set_buf(win, buf)
  end
  api.nvim_set_current_win(win)
  api.nvim_win_set_cursor(win, { #lines, 0 })
end

-- Results as virtual text ---------------------------------------------------
-- Two renderers: the server's inlay hints, used for a range's result where the
-- user has inlay hints on in the buffer (Neovim 0.10+; turning them on is the
-- user's choice, as it shows other servers' hints too), and extmarks at the
-- end of the line everywhere else.

local render = {}
local watched = {} ---@type table<integer, boolean> buffers whose changes clear results

---@param bufnr integer
function render.clear(bufnr)
  if api.nvim_buf_is_valid(bufnr) then
    api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  end
end

--- Clears the buffer's results on its next change, then stops listening.
---@param bufnr integer
local function clear_on_change(bufnr)
  if watched[bufnr] then
    return
  end
  watched[bufnr] = api.nvim_buf_attach(bufnr, false, {
    on_lines = function()
      watched[bufnr] = nil
      -- Extmarks are not changed from inside the change callback.
      vim.schedule(function()
        render.clear(bufnr)
      end)
      return true -- detach
    end,
    on_detach = function()
      watched[bufnr] = nil
    end,
  }) or nil
end

---@param bufnr integer
---@param row integer 0-based
---@param text string
---@param hl string
function render.show(bufnr, row, text, hl)
  if not api.nvim_buf_is_valid(bufnr) then
    return
  end
  row = math.max(0, math.min(row, api.nvim_buf_line_count(bufnr) - 1))
  api.nvim_buf_clear_namespace(bufnr, ns, row, row + 1)
  api.nvim_buf_set_extmark(bufnr, ns, row, 0, {
    virt_text = { { "  → " .. text, hl } },
    virt_text_pos = "eol",
    hl_mode = "combine",
  })
  clear_on_change(bufnr)
end

--- Removes the evaluation results shown in a buffer.
---@param bufnr? integer default: the current buffer
function M.clear(bufnr)
  render.clear(bufnr or api.nvim_get_current_buf())
end

--- Shows an evaluate reply at row of bufnr and remembers it.
--- Whether the server's inlay hint for a range's result will be shown in
--- bufnr: Neovim has inlay hints and the user has them on there.
---@param bufnr integer
---@return boolean
function render.hints_shown(bufnr)
  local ih = vim.lsp.inlay_hint
  if type(ih) ~= "table" or type(ih.is_enabled) ~= "function" then
    return false
  end
  local ok, enabled = pcall(ih.is_enabled, { bufnr = bufnr })
  return ok and enabled == true
end

---@param bufnr integer
---@param row integer 0-based
---@param reply table {module, value, output, error}
---@param from_range? boolean the result of a range, which the server shows as an inlay hint
local function show_result(bufnr, row, reply, from_range)
  local value, err, output = present(reply.value), present(reply.error), present(reply.output) or ""
  local text, hl
  if err then
    text, hl = last_line(err), "HotloadError"
  elseif value then
    text, hl = first_line(value), "HotloadResult"
  elseif vim.trim(output) ~= "" then
    text, hl = first_line(output), "HotloadResult"
  else
    text, hl = "done", "HotloadResult"
  end
  text = truncate(text, 200)
  last_result = {
    bufnr = bufnr,
    row = row,
    module = present(reply.module),
    value = value,
    output = output,
    error = err,
    text = text,
  }
  if config.virtual_text and not (from_range and render.hints_shown(bufnr)) then
    render.show(bufnr, row, text, hl)
  end
end

--- The last evaluation result, or nil before the first.
---@return hotload.Result?
function M.last_result()
  return last_result
end

-- Server messages and status ------------------------------------------------

--- Echoes a one-line message cut to the space the command line has, so it
--- never asks to "Press ENTER".
local function echo(text, hl)
  local width = vim.v.echospace
  if type(width) ~= "number" or width <= 0 then
    width = vim.o.columns - 12
  end
  api.nvim_echo({ { truncate(text, width), hl } }, true, {})
end

local function on_show_message(_, result, ctx)
  if type(result) ~= "table" then
    return
  end
  local text = result.message or ""
  record("message", result.type, text)
  if config.messages == "none" then
    return
  end
  local level = level_of(result.type)
  if config.messages == "notify" or text:find("\n", 1, true) then
    notify(text, level)
    return
  end
  local hl = ({ "ErrorMsg", "WarningMsg" })[result.type]
  echo(text, hl)
end

local function on_log_message(err, result, ctx, cfg)
  if type(result) == "table" then
    record("log", result.type, result.message or "")
  end
  -- Still hand it to Neovim's log file, as without the plugin.
  local default = vim.lsp.handlers["window/logMessage"]
  if default then
    return default(err, result, ctx, cfg)
  end
end

local function on_status(_, result, ctx)
  if type(result) ~= "table" or not ctx or not ctx.client_id then
    return
  end
  statuses[ctx.client_id] = {
    state = result.state,
    module = present(result.module),
    lastReloadMs = present(result.lastReloadMs),
    lastError = present(result.lastError),
    pid = present(result.pid),
    message = present(result.message),
    app = present(result.app),
    appPid = present(result.appPid),
    appMessage = present(result.appMessage),
  }
  -- For statusline plugins that redraw on events (e.g. lualine).
  pcall(api.nvim_exec_autocmds, "User", { pattern = "HotloadStatus", modeline = false })
  pcall(vim.cmd, "redrawstatus")
end

--- The handlers the plugin installs on hotload clients. lsp/hotload.lua uses
--- them too, so vim.lsp.enable("hotload") behaves like setup().
---@return table<string, function>
function M.handlers()
  return {
    ["window/showMessage"] = on_show_message,
    ["window/logMessage"] = on_log_message,
    ["hotload/status"] = on_status,
  }
end

--- The hotload client attached to bufnr, if any.
---@param bufnr integer
---@return table?
local function client_for(bufnr)
  return get_clients({ name = NAME, bufnr = bufnr })[1]
end

--- The runtime status last reported by the server of bufnr, or nil.
---@param bufnr? integer default: the current buffer
---@return hotload.Status?
function M.status_info(bufnr)
  local client = client_for(bufnr or api.nvim_get_current_buf())
  return client and statuses[client.id] or nil
end

--- A short status for statuslines: "" when no hotload server is attached to
--- the buffer, else e.g. "hotload: ready 0.5 ms", "hotload: running lib",
--- "hotload: failed ZeroDivisionError: division by zero" after a failed run.
---@param bufnr? integer default: the current buffer
---@return string
function M.status(bufnr)
  local client = client_for(bufnr or api.nvim_get_current_buf())
  if not client then
    return ""
  end
  local st = statuses[client.id]
  if not st or type(st.state) ~= "string" then
    return "hotload" -- a server that does not send hotload/status
  end
  local s = "hotload: " .. st.state
  if st.state == "ready" and type(st.lastError) == "string" then
    s = "hotload: failed " .. st.lastError
  elseif st.state == "ready" and type(st.lastReloadMs) == "number" and st.lastReloadMs > 0 then
    s = s .. " " .. format_ms(st.lastReloadMs)
  elseif st.state == "running" and st.module then
    s = s .. " " .. st.module
  end
  if st.app == "running" then
    s = s .. " · app running"
  elseif st.app == "exited" then
    s = s .. " · app exited"
  end
  return s
end

-- Starting and attaching ----------------------------------------------------

--- Copies settings so that empty tables that must be JSON objects are.
---@param settings table
---@return table
local function json_settings(settings)
  local out = vim.deepcopy(settings or {})
  if type(out.env) == "table" and next(out.env) == nil then
    out.env = vim.empty_dict()
  end
  if next(out) == nil then
    return vim.empty_dict()
  end
  return out
end

--- The project root of path: the nearest folder above it that holds one of
--- the root markers, else the file's own folder.
---@param path string
---@param markers? string[] default: the configured root_markers
---@return string
function M.root_dir(path, markers)
  markers = markers or config.root_markers
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local cur = dir
  while true do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(cur .. "/" .. marker) then
        return cur
      end
    end
    local parent = vim.fn.fnamemodify(cur, ":h")
    if parent == cur then
      return dir
    end
    cur = parent
  end
end

local function on_exit(_, _, client_id)
  vim.schedule(function()
    statuses[client_id] = nil
    stopping[client_id] = nil
    for root, id in pairs(clients_by_root) do
      if id == client_id then
        clients_by_root[root] = nil
      end
    end
  end)
end

--- The client configuration for a project root.
---@param root string
---@return table
local function client_config(root)
  local settings = json_settings(config.settings)
  return {
    name = NAME,
    cmd = vim.deepcopy(config.cmd),
    root_dir = root,
    init_options = settings,
    settings = { hotload = settings },
    -- The plugin shows evaluation results as virtual text, so the server
    -- sends no message for them.
    capabilities = vim.tbl_deep_extend("force", vim.lsp.protocol.make_client_capabilities(), {
      experimental = { hotload = { inlineResults = true } },
    }),
    handlers = M.handlers(),
    on_attach = config.on_attach,
    on_exit = on_exit,
  }
end

-- willSave -------------------------------------------------------------------

--- Whether this Neovim sends textDocument/willSave itself, to servers that
--- ask for it (0.9 and later do; 0.7 and 0.8 never send it).
local function neovim_sends_will_save()
  local sync = vim.lsp.protocol.make_client_capabilities().textDocument.synchronization
  return sync ~= nil and sync.willSave == true
end

--- Whether client's server asked for textDocument/willSave.
---@param client table
---@return boolean
local function wants_will_save(client)
  local caps = client.server_capabilities
  local sync = caps and caps.textDocumentSync
  return type(sync) == "table" and sync.willSave == true
end

--- Sends textDocument/willSave for bufnr to its hotload clients that want
--- it. The server warms its Python for the save that follows (the runtime's
--- code and data are cold after a pause; warming them took about 0.2 ms
--- off a save, see :help hotload-willsave), as it does in VS Code.
---@param bufnr integer
function M.will_save(bufnr)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    reason = 1, -- TextDocumentSaveReason.Manual: the user wrote the buffer
  }
  for _, client in ipairs(get_clients({ name = NAME, bufnr = bufnr })) do
    if wants_will_save(client) and not is_stopped(client) then
      call(client, "notify", "textDocument/willSave", params)
    end
  end
end

--- Sends willSave before each write of bufnr, where Neovim does not.
---@param bufnr integer
local function announce_saves(bufnr)
  if neovim_sends_will_save() then
    return
  end
  local group = api.nvim_create_augroup("hotload", { clear = false })
  api.nvim_clear_autocmds({ group = group, event = "BufWritePre", buffer = bufnr })
  api.nvim_create_autocmd("BufWritePre", {
    group = group,
    buffer = bufnr,
    callback = function(args)
      M.will_save(args.buf)
    end,
    desc = "hotload: announce the save (textDocument/willSave)",
  })
end

--- Starts the project's hotload server if it is not running and attaches it
--- to bufnr. One server per project root, shared by its buffers.
---@param bufnr? integer default: the current buffer
---@return integer? client_id
function M.attach(bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  if not api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local name = api.nvim_buf_get_name(bufnr)
  if name == "" or name:match("^%a[%w+.-]*://") then
    return nil -- not a file on disk (fugitive://, an unnamed buffer …)
  end
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    if not warned_missing then
      warned_missing = true
      vim.schedule(function()
        notify("hotload: cannot find the server " .. config.cmd[1] .. " (see :help hotload-troubleshooting)", vim.log.levels.WARN)
      end)
    end
    return nil
  end
  local root = M.root_dir(name)
  announce_saves(bufnr)
  if vim.lsp.start then
    return vim.lsp.start(client_config(root), {
      bufnr = bufnr,
      reuse_client = function(client, conf)
        return client.name == conf.name and client.root_dir == conf.root_dir and not stopping[client.id]
      end,
    })
  end
  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or is_stopped(client) or stopping[id] then
    id = vim.lsp.start_client(client_config(root))
    clients_by_root[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Configures the plugin and attaches the server to Python buffers, those
--- open now and those opened later. Calling it again replaces the options;
--- running servers get the new settings.
---@param opts? hotload.Config
function M.setup(opts)
  -- A plugin manager may put this plugin on 'runtimepath' after Neovim has
  -- sourced plugin/ files (lazy.nvim's and packer's recipes for a plugin in
  -- a subfolder do): the commands are defined there, so make sure they are.
  if not vim.g.loaded_hotload then
    vim.cmd("runtime plugin/hotload.lua")
  end
  warned_missing = false
  config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  -- Lists replace the defaults rather than merging into them index by index.
  for _, key in ipairs({ "cmd", "root_markers", "filetypes" }) do
    if opts and opts[key] then
      config[key] = opts[key]
    end
  end
  if opts and opts.settings then
    config.settings = opts.settings
  end
  -- Keep the newest entries, oldest first, within the (new) size.
  local ordered = {}
  for i = 0, #ring - 1 do
    table.insert(ordered, ring[(ring_next - 1 + i) % #ring + 1])
  end
  local size = math.max(config.log_size or 1, 1)
  ring, ring_next = {}, 1
  for i = math.max(1, #ordered - size + 1), #ordered do
    table.insert(ring, ordered[i])
  end

  -- Running servers get the new settings: they ask for them again on
  -- workspace/didChangeConfiguration (and start a new runtime if they
  -- changed).
  local settings = { hotload = json_settings(config.settings) }
  for _, client in ipairs(get_clients({ name = NAME })) do
    client.config.settings = settings -- what Neovim 0.7-0.9 answer from
    if client.settings ~= nil then
      client.settings = settings -- 0.10 and later
    end
    call(client, "notify", "workspace/didChangeConfiguration", { settings = settings })
  end

  local group = api.nvim_create_augroup("hotload", { clear = false })
  api.nvim_clear_autocmds({ group = group, event = "FileType" })
  api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
    desc = "hotload: attach the server",
  })
  local wanted = {}
  for _, ft in ipairs(config.filetypes) do
    wanted[ft] = true
  end
  for _, buf in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(buf) and wanted[vim.bo[buf].filetype] then
      M.attach(buf)
    end
  end
end

--- Stops every hotload server (and with it its Python).
function M.stop()
  for _, client in ipairs(get_clients({ name = NAME })) do
    stopping[client.id] = true
    call(client, "stop")
  end
end

-- Commands ------------------------------------------------------------------

--- The hotload client for a command in bufnr, or nil after saying why.
---@param bufnr integer
---@param any_buffer? boolean accept the only hotload client if none is attached
---@return table?
local function command_client(bufnr, any_buffer)
  local client = client_for(bufnr)
  if client then
    return client
  end
  if any_buffer then
    local all = get_clients({ name = NAME })
    if #all == 1 then
      return all[1]
    end
  end
  notify("hotload: no hotload server is attached to this buffer (see :help hotload-troubleshooting)", vim.log.levels.WARN)
  return nil
end

--- Runs workspace/executeCommand on client and calls on_reply with the reply.
---@param client table
---@param bufnr integer
---@param command string
---@param arguments table
---@param on_reply? fun(reply: any)
local function execute(client, bufnr, command, arguments, on_reply)
  local params = { command = command, arguments = arguments }
  call(client, "request", "workspace/executeCommand", params, function(err, reply)
    if err then
      notify(string.format("hotload: %s: %s", command, err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if on_reply then
      on_reply(reply)
    end
  end, bufnr)
end

--- Number of UTF-16 code units in the first nbytes bytes of line.
---@param line string
---@param nbytes integer
---@return integer
local function utf16_units(line, nbytes)
  local units = 0
  for i = 1, math.min(nbytes, #line) do
    local b = line:byte(i)
    if b < 0x80 or b >= 0xC0 then -- not a continuation byte
      units = units + (b >= 0xF0 and 2 or 1)
    end
  end
  return units
end

--- Length in bytes of the UTF-8 character starting at byte col (0-based).
local function char_len(line, col)
  local b = line:byte(col + 1)
  if not b then
    return 0
  elseif b >= 0xF0 then
    return 4
  elseif b >= 0xE0 then
    return 3
  elseif b >= 0xC0 then
    return 2
  end
  return 1
end

local function get_line(bufnr, row)
  return api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
end

--- The LSP range (UTF-16) of lines line1..line2 (1-based), or, with
--- use_selection, of the last visual selection when it spans exactly those
--- lines (as :'<,'> does).
---@param bufnr integer
---@param line1 integer
---@param line2 integer
---@param use_selection boolean
---@return table range, integer end_row
local function command_range(bufnr, line1, line2, use_selection)
  local s = api.nvim_buf_get_mark(bufnr, "<")
  local e = api.nvim_buf_get_mark(bufnr, ">")
  local mode = vim.fn.visualmode()
  if use_selection and s[1] == line1 and e[1] == line2 and s[1] > 0 and mode ~= "V" and mode ~= "" then
    local sline, eline = get_line(bufnr, s[1] - 1), get_line(bufnr, e[1] - 1)
    local scol = math.min(s[2], #sline)
    local ecol
    if e[2] >= #eline then
      ecol = #eline -- "$" or a linewise end
    elseif vim.o.selection == "exclusive" then
      ecol = e[2]
    else
      ecol = e[2] + char_len(eline, e[2])
    end
    return {
      start = { line = s[1] - 1, character = utf16_units(sline, scol) },
      ["end"] = { line = e[1] - 1, character = utf16_units(eline, ecol) },
    }, e[1] - 1
  end
  local last = get_line(bufnr, line2 - 1)
  return {
    start = { line = line1 - 1, character = 0 },
    ["end"] = { line = line2 - 1, character = utf16_units(last, #last) },
  }, line2 - 1
end

--- Evaluates code in the module of bufnr; the result shows at row.
---@param code string
---@param bufnr? integer default: the current buffer
---@param row? integer 0-based; default: the cursor line
function M.evaluate(code, bufnr, row)
  bufnr = bufnr or api.nvim_get_current_buf()
  row = row or (api.nvim_win_get_cursor(0)[1] - 1)
  local client = command_client(bufnr)
  if not client then
    return
  end
  execute(client, bufnr, "hotload.evaluate", { vim.uri_from_bufnr(bufnr), code }, function(reply)
    show_result(bufnr, row, reply)
  end)
end

--- Evaluates an LSP range of bufnr as the editor has it (unsaved edits too).
---@param range table LSP range, UTF-16 columns
---@param bufnr? integer default: the current buffer
function M.evaluate_range(range, bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  local client = command_client(bufnr)
  if not client then
    return
  end
  execute(client, bufnr, "hotload.evaluateSelection", { vim.uri_from_bufnr(bufnr), range }, function(reply)
    show_result(bufnr, range["end"].line, reply, true)
  end)
end

--- :HotloadEvaluate: the argument if given, else the range or selection,
--- else the current line.
---@param opts table user command arguments
function M.evaluate_command(opts)
  local bufnr = api.nvim_get_current_buf()
  local code = vim.trim(opts.args or "")
  if code ~= "" then
    local row = opts.range > 0 and opts.line2 - 1 or nil
    M.evaluate(code, bufnr, row)
    return
  end
  local line1, line2 = opts.line1, opts.line2
  if opts.range == 0 then
    line1 = api.nvim_win_get_cursor(0)[1]
    line2 = line1
  end
  local range = command_range(bufnr, line1, line2, opts.range == 2)
  M.evaluate_range(range, bufnr)
end

--- Runs the buffer's module now, without saving it.
---@param bufnr? integer default: the current buffer
function M.evaluate_module(bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  local client = command_client(bufnr)
  if not client then
    return
  end
  execute(client, bufnr, "hotload.evaluateModule", { vim.uri_from_bufnr(bufnr) }, function(reply)
    -- The module's value is its last top-level expression: show it at the
    -- last line that has code.
    local row = api.nvim_buf_line_count(bufnr) - 1
    while row > 0 and vim.trim(get_line(bufnr, row)) == "" do
      row = row - 1
    end
    show_result(bufnr, row, reply)
  end)
end

--- Raises KeyboardInterrupt in the code the runtime is running.
function M.interrupt()
  local bufnr = api.nvim_get_current_buf()
  local client = command_client(bufnr, true)
  if client then
    execute(client, bufnr, "hotload.interruptRuntime", {})
  end
end

local app_commands = { start = "hotload.startApp", stop = "hotload.stopApp", restart = "hotload.restartApp" }

--- Starts, stops or restarts the program of the `app` setting, which runs
--- as __main__ with saves applied to it (see :help :HotloadApp).
---@param action "start"|"stop"|"restart"
function M.app(action)
  local command = app_commands[vim.trim(action or "")]
  if not command then
    notify("hotload: :HotloadApp start, stop or restart", vim.log.levels.ERROR)
    return
  end
  local bufnr = api.nvim_get_current_buf()
  local client = command_client(bufnr, true)
  if client then
    execute(client, bufnr, command, {})
  end
end

--- Replaces the Python runtime with a fresh one.
function M.restart()
  local bufnr = api.nvim_get_current_buf()
  local client = command_client(bufnr, true)
  if client then
    execute(client, bufnr, "hotload.restartRuntime", {})
  end
end

return M
