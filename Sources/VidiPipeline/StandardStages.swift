extension StageCatalog {
    /// The built-in stages specs can name.
    public static let standard = StageCatalog()
}
