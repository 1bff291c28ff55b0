/**
 * The records filter bar's input: the shared filter box with completion of the collection's
 * fields and inline syntax errors (docs/rule-editor.md); Enter applies the filter.
 */
export { FilterInput, type FilterInputProps } from '../../components/rule-editor/filter-input.js';
