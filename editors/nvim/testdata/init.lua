-- The user's init.lua for nvim_test.go, as the README shows it. Neovim reads
-- it before it loads plugin/hotload.lua, as it would a real one.
vim.opt.runtimepath:prepend(assert(os.getenv("HOTLOAD_NVIM_PLUGIN"), "HOTLOAD_NVIM_PLUGIN is not set"))

local cmd = { "hotload", "lsp" }
local server_log = os.getenv("HOTLOAD_TEST_SERVER_LOG")
if server_log and server_log ~= "" then
  vim.list_extend(cmd, { "--log-file", server_log, "--log-level", "debug" })
end

-- spec.lua calls setup() again with these.
_G.hotload_test_options = {
  cmd = cmd,
  settings = { env = { HOTLOAD_NVIM_TEST = "from settings" }, app = { "prog.py" } },
}
require("hotload").setup(_G.hotload_test_options)
