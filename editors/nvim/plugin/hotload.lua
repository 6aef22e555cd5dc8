-- hotload: reload Python modules in a warm Python process on every save.
-- This file only registers commands and highlight groups; the work lives in
-- lua/hotload/init.lua and is loaded on first use. See :help hotload.

if vim.g.loaded_hotload then
  return
end
vim.g.loaded_hotload = true

local function highlights()
  -- "default" links: a colorscheme or the user's own :highlight wins.
  vim.cmd("highlight default link HotloadResult Comment")
  vim.cmd("highlight default link HotloadError DiagnosticError")
end
highlights()

-- Shared with setup(), which may run first (from init.lua, before plugins
-- load): clear only this file's own autocommands.
local group = vim.api.nvim_create_augroup("hotload", { clear = false })
vim.api.nvim_clear_autocmds({ group = group, event = "ColorScheme" })
vim.api.nvim_create_autocmd("ColorScheme", {
  group = group,
  callback = highlights,
  desc = "hotload: restore highlight links after :colorscheme",
})

local function command(name, fn, opts)
  opts = opts or {}
  vim.api.nvim_create_user_command(name, fn, opts)
end

command("HotloadEvaluateModule", function()
  require("hotload").evaluate_module()
end, { desc = "hotload: run this buffer's module now" })

command("HotloadEvaluate", function(opts)
  require("hotload").evaluate_command(opts)
end, {
  nargs = "?",
  range = true,
  desc = "hotload: evaluate the selection, the given expression, or the current line",
})

command("HotloadInterrupt", function()
  require("hotload").interrupt()
end, { desc = "hotload: raise KeyboardInterrupt in the running code" })

command("HotloadRestart", function()
  require("hotload").restart()
end, { desc = "hotload: start a fresh Python runtime" })

command("HotloadApp", function(opts)
  require("hotload").app(opts.args)
end, {
  nargs = 1,
  complete = function()
    return { "start", "stop", "restart" }
  end,
  desc = "hotload: start, stop or restart the program of the `app` setting",
})

command("HotloadLog", function()
  require("hotload").open_log()
end, { desc = "hotload: show the messages the server sent" })

command("HotloadClear", function()
  require("hotload").clear()
end, { desc = "hotload: remove evaluation results from this buffer" })
