-- Quarto's conditional content for the project's renderer: a Div `.content-visible when-format="X"`
-- stays only in format X, a `.content-hidden when-format="X"` everywhere else. Metadata
-- `output_format` is `html` for the web pages and `pdf` for the printed book.
local format = "html"

local function matches(div)
  local want = div.attributes["when-format"]
  return want == nil or want == format
end

return {
  { Meta = function(m) if m.output_format then format = pandoc.utils.stringify(m.output_format) end end },
  { Div = function(div)
      if div.classes:includes("content-visible") then return matches(div) and div.content or {} end
      if div.classes:includes("content-hidden") then return matches(div) and {} or div.content end
    end },
}
