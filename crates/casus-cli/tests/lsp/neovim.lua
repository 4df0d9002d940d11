-- Opens a scenario in headless Neovim, attaches `casus lsp` through Neovim's built-in LSP
-- client, waits for the diagnostics and writes them, one a line, to $CASUS_OUT.
-- Run by crates/casus-cli/tests/lsp.rs (`a_real_neovim_shows_the_diagnostic`).
local casus = os.getenv("CASUS_BIN")
local file = os.getenv("CASUS_FILE")
local out = os.getenv("CASUS_OUT")

vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({
  name = "casus",
  cmd = { casus, "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
})
vim.lsp.buf_attach_client(buf, client)

local found = vim.wait(60000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)

local lines = {}
if not found then
  table.insert(lines, "no diagnostics")
end
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ""
  local message = d.message:gsub("\n", " | ")
  table.insert(lines, string.format("%d:%d:%s:%s:%s", d.lnum, d.col, d.source or "", code, message))
end
vim.fn.writefile(lines, out)
vim.lsp.stop_client(client)
vim.wait(2000, function()
  return vim.lsp.get_client_by_id(client) == nil
end, 50)
vim.cmd("qall!")
