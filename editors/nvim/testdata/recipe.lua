-- The README's plugin-manager recipes, tried in a real Neovim by
-- recipe_test.go: it runs `nvim --headless -u testdata/recipe.lua` in a
-- Python project with
--   HOTLOAD_RECIPE_MANAGER  "lazy", "packer", or "none" (init.lua by hand)
--   HOTLOAD_RECIPE          the recipe's Lua, as the README has it
--   HOTLOAD_CLONE           a copy of the repository, standing in for what
--                           the manager clones from the repository's URL
-- Neither manager runs on Neovim 0.7 (lazy.nvim needs 0.8), so this file
-- does for the recipe what each does with a plugin spec (lazy.nvim:
-- lua/lazy/core/loader.lua; packer: lua/packer/compile.lua):
--   lazy.nvim  clones the URL to plugin.dir and puts it on 'runtimepath';
--              with `ft`, waits for that FileType, then calls
--              config(plugin) and fires FileType again for the buffer.
--   packer     clones the URL into a start package (on 'runtimepath'),
--              appends install_path .. "/" .. rtp to 'runtimepath' after
--              the plugins have loaded, then calls config().
-- Then it opens lib.py, checks that hotload attached and its commands
-- exist, saves, and waits for the run's message. It prints PASS/FAIL lines
-- and exits 0 or non-zero.

local TIMEOUT = 20000 -- guards against a hang; says nothing about speed
local manager = assert(os.getenv("HOTLOAD_RECIPE_MANAGER"))
local clone = assert(os.getenv("HOTLOAD_CLONE"))
local failed = false

local function out(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end

local function check(name, ok, detail)
  out((ok and "PASS " or "FAIL ") .. name .. ((not ok and detail) and (": " .. detail) or ""))
  failed = failed or not ok
  return ok
end

local function finish()
  vim.cmd(failed and "cquit" or "qall!")
end

if manager == "none" then
  -- The recipe for no plugin manager: statements for init.lua, with the
  -- README's "/path/to/hotload" standing for the clone.
  local code = os.getenv("HOTLOAD_RECIPE"):gsub("/path/to/hotload", clone)
  local ok, err = pcall(assert(loadstring(code)))
  check("the recipe runs", ok, tostring(err))
end

local ok, recipe_or_err = pcall(function()
  -- The recipe is one Lua expression (a lazy.nvim spec) or statement (a
  -- packer use() call).
  if manager == "none" then
    return { "hotload-dev/hotload" }
  elseif manager == "lazy" then
    return assert(loadstring("return " .. os.getenv("HOTLOAD_RECIPE")))()
  end
  local spec
  _G.use = function(s)
    spec = s
  end
  assert(loadstring(os.getenv("HOTLOAD_RECIPE")))()
  return spec
end)
if not check("the recipe is valid Lua", ok and type(recipe_or_err) == "table", tostring(recipe_or_err)) then
  finish()
end
local spec = recipe_or_err
check("the recipe names the repository", spec[1] == "hotload-dev/hotload", tostring(spec[1]))

if manager == "none" then
  -- Done above, as init.lua would.
elseif manager == "lazy" then
  local plugin = { dir = clone, name = "hotload" }
  vim.opt.rtp:append(plugin.dir)
  local function load()
    if spec.config then
      spec.config(plugin, spec.opts or {})
    end
  end
  if spec.ft then
    vim.api.nvim_create_autocmd("FileType", {
      pattern = spec.ft,
      once = true,
      callback = function(args)
        load()
        -- lazy.nvim fires it at once; Neovim 0.7 (which lazy.nvim does not
        -- support) breaks a buffer still being read if FileType is fired
        -- for it from its own FileType (":write" then says E13), so here
        -- it waits until the :edit is done.
        vim.schedule(function()
          vim.api.nvim_exec_autocmds("FileType", { buffer = args.buf, modeline = false })
        end)
      end,
    })
  else
    load()
  end
else
  vim.opt.rtp:append(clone)
  vim.api.nvim_create_autocmd("VimEnter", {
    once = true,
    callback = function()
      if spec.rtp then
        vim.o.runtimepath = vim.o.runtimepath .. "," .. clone .. "/" .. spec.rtp
      end
      if spec.config then
        spec.config()
      end
    end,
  })
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  callback = vim.schedule_wrap(function()
    vim.cmd("edit lib.py")
    local buf = vim.api.nvim_get_current_buf()
    local function attached()
      local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
      for _, c in pairs(all) do
        if c.name == "hotload" and vim.lsp.buf_is_attached(buf, c.id) then
          return true
        end
      end
      return false
    end
    if check("hotload attaches to lib.py", vim.wait(TIMEOUT, attached, 50)) then
      check("its commands exist", vim.fn.exists(":HotloadEvaluate") == 2 and vim.fn.exists(":HotloadLog") == 2)
      vim.cmd("write")
      -- What the server said, as :HotloadLog shows it.
      local messages = {}
      check("a save runs the module", vim.wait(TIMEOUT, function()
        messages = require("hotload").log_lines()
        for _, m in ipairs(messages) do
          if m:find("lib loaded", 1, true) or m:find("lib reloaded", 1, true) then
            return true
          end
        end
        return false
      end, 50), table.concat(messages, " | "))
      local preload = table.concat(messages, "\n"):find("preload", 1, true)
      check("no failed preload", not preload, table.concat(messages, " | "))
    end
    for _, c in pairs(vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()) do
      c.stop()
    end
    vim.wait(TIMEOUT, function()
      return #(vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()) == 0
    end, 50)
    finish()
  end),
})
