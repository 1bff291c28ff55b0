/**
 * The text box of one API rule in the collections editor: the rule editor, with completion of
 * fields and `@request…` paths and inline syntax errors (docs/rule-editor.md).
 */
export { RuleEditor as RuleInput, type RuleEditorProps as RuleInputProps } from '../../components/rule-editor/rule-editor.js';
