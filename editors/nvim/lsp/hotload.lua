-- The hotload server for Neovim 0.11+'s built-in configuration:
--
--   vim.lsp.enable("hotload")
--   vim.lsp.config("hotload", { settings = { hotload = { preload = { "numpy" } } } })
--
-- Use this or require("hotload").setup(), not both. The handlers are the
-- plugin's, so messages, :HotloadLog and require("hotload").status() work
-- the same either way. See :help hotload-0.11.

---@type vim.lsp.Config
return {
  cmd = { "hotload", "lsp" },
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", ".git" },
  handlers = require("hotload").handlers(),
  -- An empty object, not an empty list, when nobody configured anything.
  init_options = vim.empty_dict(),
  settings = { hotload = vim.empty_dict() },
}
