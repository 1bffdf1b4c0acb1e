// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/**
 * Credential NFTs of a w3kit server: ERC-721 tokens bound to their holder (ERC-5192, locked for
 * ever). Only the kit's sender (the deployer) mints and burns; nobody transfers or approves. Each
 * token carries its expiry (`expiresAt`, unix seconds); `isValid` is "exists and not expired".
 * A revoked token is burned. Written from EIP-721, EIP-165 and EIP-5192.
 */
contract W3kitCredentialNft {
    string public name;
    string public symbol;
    address public immutable minter;

    mapping(uint256 => address) private owners;
    mapping(address => uint256) private balances;
    mapping(uint256 => string) private uris;
    mapping(uint256 => uint64) public expiresAt;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);
    /// ERC-5192: emitted once, at mint; a token never unlocks.
    event Locked(uint256 tokenId);

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        minter = msg.sender;
    }

    modifier onlyMinter() {
        require(msg.sender == minter, "only the minter");
        _;
    }

    function mint(address to, uint256 tokenId, string calldata uri, uint64 expiry) external onlyMinter {
        require(to != address(0), "mint to the zero address");
        require(owners[tokenId] == address(0), "token already minted");
        owners[tokenId] = to;
        balances[to] += 1;
        uris[tokenId] = uri;
        expiresAt[tokenId] = expiry;
        emit Transfer(address(0), to, tokenId);
        emit Locked(tokenId);
    }

    function burn(uint256 tokenId) external onlyMinter {
        address owner = ownerOf(tokenId);
        balances[owner] -= 1;
        delete owners[tokenId];
        delete uris[tokenId];
        delete expiresAt[tokenId];
        emit Transfer(owner, address(0), tokenId);
    }

    function ownerOf(uint256 tokenId) public view returns (address) {
        address owner = owners[tokenId];
        require(owner != address(0), "no such token");
        return owner;
    }

    function balanceOf(address owner) external view returns (uint256) {
        require(owner != address(0), "the zero address owns nothing");
        return balances[owner];
    }

    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId);
        return uris[tokenId];
    }

    /// ERC-5192: every token is locked.
    function locked(uint256 tokenId) external view returns (bool) {
        ownerOf(tokenId);
        return true;
    }

    function isValid(uint256 tokenId) external view returns (bool) {
        return owners[tokenId] != address(0) && block.timestamp < expiresAt[tokenId];
    }

    function supportsInterface(bytes4 id) external pure returns (bool) {
        // ERC-165, ERC-721, ERC-721 metadata, ERC-5192
        return id == 0x01ffc9a7 || id == 0x80ac58cd || id == 0x5b5e139f || id == 0xb45a3c0e;
    }

    function getApproved(uint256 tokenId) external view returns (address) {
        ownerOf(tokenId);
        return address(0);
    }

    function isApprovedForAll(address, address) external pure returns (bool) {
        return false;
    }

    function approve(address, uint256) external pure {
        revert("soulbound: not transferable");
    }

    function setApprovalForAll(address, bool) external pure {
        revert("soulbound: not transferable");
    }

    function transferFrom(address, address, uint256) external pure {
        revert("soulbound: not transferable");
    }

    function safeTransferFrom(address, address, uint256) external pure {
        revert("soulbound: not transferable");
    }

    function safeTransferFrom(address, address, uint256, bytes calldata) external pure {
        revert("soulbound: not transferable");
    }
}
