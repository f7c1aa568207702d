// Package office finds the text of office documents for the keyword
// scanner: which parts of an Office Open XML (docx, xlsx, pptx) or
// OpenDocument (odt, ods, odp) package hold the words a reader sees, and
// a streaming reader that turns such an XML part into its text — tags
// dropped, entities decoded, paragraphs on lines of their own — in bounded
// memory, whatever the part's size.
package office
